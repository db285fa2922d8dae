#pragma once
// Tokenizers as Hugging Face's tokenizer.json describes them (GPT-2, Pythia,
// Mamba, Llama-2 and -3, Qwen3, Gemma-3, DeepSeek-V3, ...), and GPT-2's
// legacy vocab.json + merges.txt: added tokens, normalizer, pre-tokenizer,
// BPE model (byte-level or SentencePiece-style with byte_fallback),
// post-processor and decoder, as core/io/text/ builds them. Every token
// keeps its byte span in the prompt, for axis labels.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/io/text/added_tokens.h"
#include "core/io/text/bpe_model.h"
#include "core/io/text/decoders.h"
#include "core/io/text/normalizers.h"
#include "core/io/text/post_processor.h"
#include "core/io/text/pre_tokenizers.h"

namespace attnscope::io {

struct Token {
  int64_t id = 0;
  std::string text;  // the token's text on its own (token_bytes): may be part of a UTF-8 character
  size_t byte_begin = 0, byte_end = 0;  // span in the prompt's bytes; empty for added special tokens
};

class Tokenizer {
 public:
  // tokenizer.json, or vocab.json (+ merges.txt beside it). Throws attnscope::Error.
  static std::unique_ptr<Tokenizer> from_file(const std::filesystem::path& file);
  static std::unique_ptr<Tokenizer> from_json_text(std::string_view text, const std::string& origin);
  static std::unique_ptr<Tokenizer> from_vocab_merges(const std::filesystem::path& vocab_json,
                                                      const std::filesystem::path& merges_txt);
  // tokenizer.json, then vocab.json + merges.txt, in a checkpoint folder.
  static std::optional<std::filesystem::path> find_in(const std::filesystem::path& dir);
  ~Tokenizer();

  // The prompt's tokens. With `special_tokens`, those the post-processor
  // puts around a prompt (Llama's <s>) are added, as Hugging Face's
  // tokenizer(text) does.
  std::vector<Token> encode(std::string_view text, bool special_tokens = false) const;
  std::vector<int64_t> encode_ids(std::string_view text, bool special_tokens = false) const;
  // The text of a sequence of tokens, through the whole decoder (exact bytes).
  std::string decode(const std::vector<int64_t>& ids) const;
  // One token's text on its own ("▁the" -> " the", <0x0A> -> "\n"); special tokens as written.
  std::string token_bytes(int64_t id) const;
  // Axis label: space '·', newline '↵', tab '→', invalid UTF-8 as \xNN.
  std::string display(int64_t id) const;
  int64_t vocab_size() const;
  // The token whose text on its own is exactly `text` (an added token's content first).
  std::optional<int64_t> token_id(const std::string& text) const;
  std::string description() const { return description_; }
  // Whether encode(..., true) adds tokens (the post-processor names some).
  bool adds_special_tokens() const { return !around_.before.empty() || !around_.after.empty(); }
  // How many of them come before the prompt's own tokens.
  size_t special_tokens_before() const { return around_.before.size(); }

 private:
  Tokenizer();
  void set_added_tokens(std::vector<AddedToken> tokens);
  void encode_segment(const AlignedText& segment, std::vector<Token>& out) const;
  void encode_normalized(const AlignedText& text, std::vector<Token>& out) const;
  Token special(int64_t id, size_t at) const;
  const AddedToken* added_token(int64_t id) const;
  std::string spelling_of(int64_t id) const;

  std::unique_ptr<BpeModel> model_;
  std::unique_ptr<Normalizer> normalizer_;
  std::unique_ptr<PreTokenizer> pre_;
  std::unique_ptr<Decoder> decoder_;
  SpecialTokensAround around_;
  std::vector<AddedToken> added_;
  std::unordered_map<int64_t, size_t> added_by_id_;
  AddedTokenMatcher raw_matcher_, normalized_matcher_;
  bool byte_level_ = false;  // the vocabulary spells bytes in GPT-2's alphabet
  std::string description_;
};

// Visible form of raw bytes, as display() shows a token.
std::string visible_text(std::string_view bytes);

}  // namespace attnscope::io
