#pragma once
// The BPE model of Hugging Face's tokenizers: vocabulary, merge ranks, and
// the merge loop over a piece's characters, with its options: byte_fallback
// (<0xNN> tokens for characters outside the vocabulary), an unknown token
// (fused or not), continuing_subword_prefix / end_of_word_suffix, and
// ignore_merges. Merges are kept as id pairs; a cache serves repeated pieces.
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/io/text/flat_maps.h"

namespace attnscope::io {

struct BpeOptions {
  bool byte_fallback = false;
  bool fuse_unk = false;
  bool ignore_merges = false;
  std::optional<std::string> unk_token;
  std::string continuing_subword_prefix;
  std::string end_of_word_suffix;
};

// A token of one piece: its id and the bytes of the piece it spells.
struct PieceToken {
  int64_t id = 0;
  uint32_t begin = 0, end = 0;
};

class BpeModel {
 public:
  // Throws attnscope::Error (origin named) when a merge names an unknown
  // token or makes one, an id is negative or far beyond the vocabulary's
  // size, or the unknown token is not in the vocabulary.
  BpeModel(std::vector<std::pair<std::string, int64_t>> vocab,
           const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options,
           const std::string& origin);

  // One pre-tokenized piece -> its tokens. Characters with no token, no
  // byte fallback and no unknown token are left out, as Hugging Face does.
  std::vector<PieceToken> encode(std::string_view piece) const;
  const std::string& spelling(int64_t id) const;  // empty for an unused id
  std::optional<int64_t> id_of(std::string_view spelled) const;
  int64_t max_id() const { return static_cast<int64_t>(spelling_.size()) - 1; }
  size_t vocabulary_size() const { return vocab_.size(); }
  bool has_byte_fallback() const { return options_.byte_fallback; }
  // Makes room for an added token's id (its spelling where the vocabulary has
  // none); the merge loop never produces it. Throws like the constructor.
  void add_token(const std::string& spelled, int64_t id);

 private:
  struct Symbol {
    int32_t id;
    uint32_t begin, end;
    int prev, next;
  };
  std::vector<PieceToken> merge(std::string_view piece) const;
  std::vector<Symbol> initial_symbols(std::string_view piece) const;
  void check_id(int64_t id) const;
  std::string origin_;
  BpeOptions options_;
  // Keys view spelling_ (reserved once, so never moved) or extra_spellings_.
  SpellingIndex vocab_;
  std::vector<std::string> spelling_;
  std::deque<std::string> extra_spellings_;  // tokens sharing an id with another
  // (left id << 32 | right id) -> (rank << 32 | merged id)
  U64Map merges_;
  std::optional<int32_t> unk_id_;
  std::vector<int32_t> byte_ids_;  // <0xNN> ids, -1 where missing (byte_fallback)
  mutable std::mutex cache_mutex_;
  // piece -> (id, length in bytes) per token
  mutable std::unordered_map<std::string, std::vector<std::pair<int32_t, uint32_t>>> cache_;
};

}  // namespace attnscope::io
