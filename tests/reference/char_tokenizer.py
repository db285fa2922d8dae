"""The tokenizer.json every fixture ships, so prompts (run --prompt, the GUI,
scan's tasks) work on each family without a real tokenizer: one token per
character, whitespace dropped (pre_tokenizer WhitespaceSplit, so " B" and "B"
are the same token and a task's choices differ in their first token),
<unk> for characters outside the vocabulary, and <s> in front of every prompt
(post_processor TemplateProcessing, as Llama's). 90 tokens: the smallest
fixture vocabulary (mamba_ssm's padded configs) holds them all. A valid
Hugging Face tokenizer.json: AttnScope's reader and HF's agree on it."""
import json
import string

PUNCTUATION = ".,:;?!'\"-()[]/+=*&%$#@_<>|"
SIZE = 90


def tokenizer_json():
    chars = string.ascii_letters + string.digits + PUNCTUATION
    vocab = {"<unk>": 0, "<s>": 1}
    for c in chars:
        vocab[c] = len(vocab)
    assert len(vocab) == SIZE, len(vocab)

    def special(content, id_):
        return {"id": id_, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
                "normalized": False, "special": True}

    bos = {"SpecialToken": {"id": "<s>", "type_id": 0}}
    spec = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [special("<unk>", 0), special("<s>", 1)],
        "normalizer": None,
        "pre_tokenizer": {"type": "WhitespaceSplit"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [bos, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [bos, {"Sequence": {"id": "A", "type_id": 0}}, bos, {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}},
        },
        "decoder": None,
        "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": False, "vocab": vocab,
                  "merges": []},
    }
    return json.dumps(spec, indent=1, ensure_ascii=False) + "\n"
