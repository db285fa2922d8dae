// Peer for tests/unit/test_tokenizer_hf_peer.cpp: Hugging Face's tokenizers
// (Rust, through the @anush008/tokenizers binding) on one tokenizer.json.
//   node encode.js TOKENIZER.json < texts.json > results.json
// texts.json: a JSON array of strings. Each result: the ids without and with
// the special tokens the post-processor adds, and the text decode() gives
// back (special tokens kept).
const { Tokenizer } = require('@anush008/tokenizers');

async function main(path, texts) {
  const tokenizer = Tokenizer.fromFile(path);
  const results = [];
  for (const text of texts) {
    const plain = (await tokenizer.encode(text, null, { addSpecialTokens: false })).getIds();
    const special = (await tokenizer.encode(text, null, { addSpecialTokens: true })).getIds();
    const decoded = await tokenizer.decode(plain, false);
    results.push({ ids: plain, special_ids: special, decoded });
  }
  return results;
}

const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const texts = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  if (!Array.isArray(texts)) throw new Error('expected a JSON array of strings');
  main(process.argv[2], texts).then(
    (results) => process.stdout.write(JSON.stringify(results) + '\n'),
    (error) => { process.stderr.write(String(error) + '\n'); process.exit(1); });
});
