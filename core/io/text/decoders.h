#pragma once
// Decoders turn tokens back into text, as tokenizer.json describes them:
// ByteLevel, Metaspace, Replace, ByteFallback (<0xNN> -> the byte), Fuse,
// Strip, BPEDecoder and Sequence. Text comes back as exact bytes (a token
// may hold part of a character).
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace attnscope::io {

class Decoder {
 public:
  virtual ~Decoder() = default;
  // A sequence of tokens (their spellings) -> the pieces of text they make.
  virtual std::vector<std::string> decode_chain(std::vector<std::string> tokens) const = 0;
  // One token on its own, as an axis label shows it: what only a sequence
  // has (fusing, stripping the text's first space) is left out.
  virtual std::string decode_token(std::string token) const = 0;
};

// The decoder a tokenizer.json's "decoder" describes; null for none.
// Throws attnscope::Error naming `origin` for a type it does not know.
std::unique_ptr<Decoder> make_decoder(const nlohmann::json& spec, const std::string& origin);

}  // namespace attnscope::io
