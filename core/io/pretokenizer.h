#pragma once
// Pre-tokenization: cutting text into pieces before BPE, as tokenizer.json
// describes it (ByteLevel with GPT-2's regex, Split with any regex — PCRE2 —
// and the five split behaviours, Digits, Sequence). Pieces keep byte offsets.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope::io {

struct Piece {
  size_t begin = 0, end = 0;  // bytes of the text
};

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Refines each piece into smaller ones.
  virtual std::vector<Piece> split(std::string_view text, const std::vector<Piece>& pieces) const = 0;
};

// GPT-2's pattern, used by ByteLevel when use_regex is true.
extern const char* const kGpt2Pattern;

// A regex split; behaviour: Isolated, Removed, MergedWithPrevious, MergedWithNext, Contiguous.
std::unique_ptr<PreTokenizer> make_regex_split(const std::string& pattern, const std::string& behaviour, bool invert,
                                               const std::string& origin);
// Builds the pre-tokenizer a tokenizer.json describes (null: none). Sets
// `add_prefix_space` when a ByteLevel step asks for it. Throws for unknown types.
std::unique_ptr<PreTokenizer> make_pretokenizer(const nlohmann::json& spec, bool& add_prefix_space,
                                                const std::string& origin);

}  // namespace attnscope::io
