#pragma once
// Reads a tokenizer.json quickly: the vocabulary and merges (hundreds of
// thousands of entries, tens of megabytes) with simdjson, every other part
// (normalizer, pre_tokenizer, decoder, added tokens, ...) as small nlohmann
// documents for the builders that interpret them.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace attnscope::io {

struct TokenizerJson {
  nlohmann::json model;  // the model's fields except vocab and merges (type, unk_token, byte_fallback, ...)
  std::vector<std::pair<std::string, int64_t>> vocab;
  std::vector<std::pair<std::string, std::string>> merges;
  bool has_vocab = false, has_merges = false;
  // null where the file has none
  nlohmann::json normalizer, pre_tokenizer, post_processor, decoder, added_tokens;
};

// Throws attnscope::Error naming `origin` on malformed JSON or a structure
// that is not a tokenizer.json's.
TokenizerJson read_tokenizer_json(std::string_view text, const std::string& origin);

}  // namespace attnscope::io
