#pragma once
// Pre-tokenization: cutting (normalised) text into pieces before the model,
// as tokenizer.json describes it: ByteLevel (GPT-2's regex, the byte
// alphabet), Split (any regex, PCRE2, the five behaviours), Metaspace,
// Digits, Whitespace, WhitespaceSplit, Punctuation, CharDelimiterSplit,
// BertPreTokenizer and Sequence. Pieces keep their origins in the prompt.
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/io/text/aligned_text.h"

namespace attnscope::io {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  // Refines each piece into smaller ones; ByteLevel and Metaspace also rewrite them.
  virtual std::vector<AlignedText> split(std::vector<AlignedText> pieces) const = 0;
};

// GPT-2's pattern, used by ByteLevel when use_regex is true.
extern const char* const kGpt2Pattern;

// A regex split; behaviour: Isolated, Removed, MergedWithPrevious, MergedWithNext, Contiguous.
std::unique_ptr<PreTokenizer> make_regex_split(const std::string& pattern, const std::string& behaviour, bool invert,
                                               const std::string& origin);
// ByteLevel as GPT-2's vocab.json + merges.txt imply it: the regex, then the byte alphabet.
std::unique_ptr<PreTokenizer> make_byte_level(bool add_prefix_space, bool use_regex);

// The pre-tokenizer a tokenizer.json describes (JSON null: pieces pass
// unchanged). Sets `byte_level` when a ByteLevel step spells the pieces in
// the byte alphabet. Throws attnscope::Error naming `origin` for unknown types.
std::unique_ptr<PreTokenizer> make_pretokenizer(const nlohmann::json& spec, bool& byte_level, const std::string& origin);

// GPT-2's pre-tokens of raw text, as byte ranges (for training a BPE).
std::vector<std::pair<size_t, size_t>> gpt2_pieces(std::string_view text);

}  // namespace attnscope::io
