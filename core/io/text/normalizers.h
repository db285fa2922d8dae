#pragma once
// Normalizers as tokenizer.json describes them (Hugging Face's semantics):
// NFC, NFD, NFKC, NFKD, Lowercase, Strip, StripAccents, Replace (a string or
// a regex), Prepend and Sequence. Each keeps every byte's origin in the prompt.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/io/text/aligned_text.h"

namespace attnscope::io {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual AlignedText apply(const AlignedText& in) const = 0;
};

// The normalizer a tokenizer.json's "normalizer" describes; null for none
// (JSON null or an empty Sequence). Throws attnscope::Error naming `origin`
// for a type it does not know.
std::unique_ptr<Normalizer> make_normalizer(const nlohmann::json& spec, const std::string& origin);

}  // namespace attnscope::io
