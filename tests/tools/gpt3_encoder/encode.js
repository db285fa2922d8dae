// Peer encoder for tests/unit/test_tokenizer_peer.cpp: reads a JSON array of
// strings on stdin, prints a JSON array of GPT-2 id arrays on stdout.
// The package is resolved from this script's folder, where the build copies
// it beside node_modules (see tests/CMakeLists.txt).
const { encode } = require('gpt-3-encoder');

const chunks = [];
process.stdin.on('data', (chunk) => chunks.push(chunk));
process.stdin.on('end', () => {
  const texts = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  if (!Array.isArray(texts)) throw new Error('expected a JSON array of strings');
  process.stdout.write(JSON.stringify(texts.map((t) => encode(t))) + '\n');
});
