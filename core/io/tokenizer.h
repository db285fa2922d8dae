#pragma once
// Byte-level BPE tokenizers: Hugging Face tokenizer.json (GPT-2, Pythia,
// Mamba, Llama-3, ...) and GPT-2's legacy vocab.json + merges.txt. Every
// token keeps its byte span in the prompt, for axis labels.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/bpe_model.h"
#include "core/io/pretokenizer.h"

namespace attnscope::io {

struct Token {
  int64_t id = 0;
  std::string text;  // the token's bytes (may be part of a UTF-8 character)
  size_t byte_begin = 0, byte_end = 0;  // span in the prompt's bytes
};

struct AddedToken {
  std::string content;
  int64_t id = 0;
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

  std::vector<Token> encode(std::string_view text) const;  // no BOS/EOS added
  std::vector<int64_t> encode_ids(std::string_view text) const;
  std::string decode(const std::vector<int64_t>& ids) const;  // exact bytes
  std::string token_bytes(int64_t id) const;
  // Axis label: space '·', newline '↵', tab '→', invalid UTF-8 as \xNN.
  std::string display(int64_t id) const;
  int64_t vocab_size() const { return model_->max_id() + 1; }
  std::optional<int64_t> token_id(const std::string& bytes) const;
  std::string description() const { return description_; }

 private:
  Tokenizer() = default;
  void encode_span(std::string_view text, size_t begin, size_t end, std::vector<Token>& out) const;
  std::unique_ptr<BpeModel> model_;
  std::unique_ptr<PreTokenizer> pre_;
  std::vector<AddedToken> added_;  // longest first
  bool add_prefix_space_ = false;
  std::string description_;
};

// Visible form of raw bytes, as display() shows a token.
std::string visible_text(std::string_view bytes);

}  // namespace attnscope::io
