#pragma once
// Added tokens (special ones such as <|begin_of_text|>, and any others a
// tokenizer.json lists): found in the text before anything else, leftmost
// and longest first, with their options: lstrip/rstrip take the whitespace
// beside them, single_word refuses a match inside a word. Tokens marked
// `normalized` are looked for in the normalised text, the others in the
// prompt as typed (Hugging Face's AddedVocabulary).
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace attnscope::io {

struct AddedToken {
  std::string content;
  int64_t id = 0;
  bool single_word = false, lstrip = false, rstrip = false, normalized = false, special = true;
};

struct AddedMatch {
  size_t begin = 0, end = 0;  // bytes of the searched text, whitespace taken by lstrip/rstrip included
  int64_t id = 0;
};

class AddedTokenMatcher {
 public:
  AddedTokenMatcher() = default;
  // `patterns[k]` is what to look for on behalf of tokens[k] (its content, or
  // its normalised content); empty patterns are ignored.
  AddedTokenMatcher(const std::vector<AddedToken>& tokens, const std::vector<std::string>& patterns);
  bool empty() const { return terminal_.size() <= 1 && terminal_[0] < 0; }
  std::vector<AddedMatch> find(std::string_view text) const;

 private:
  int child(int node, uint8_t byte) const;
  // A byte trie: edges keyed by node << 8 | byte; terminal_[node] is the token index or -1.
  std::unordered_map<uint64_t, int> edges_;
  std::vector<int> terminal_ = {-1};
  std::vector<AddedToken> tokens_;
};

}  // namespace attnscope::io
