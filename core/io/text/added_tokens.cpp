#include "core/io/text/added_tokens.h"

#include <algorithm>

#include "core/io/text/unicode.h"
#include "core/io/text/utf8.h"

namespace attnscope::io {
namespace {

// Where the character ending at byte `at` starts (at - 1 for an invalid byte).
size_t start_of_char_before(std::string_view s, size_t at) {
  size_t start = at - 1;
  while (start > 0 && at - start < 4 && (static_cast<uint8_t>(s[start]) & 0xC0) == 0x80) --start;
  size_t i = start;
  uint32_t cp = 0;
  return next_utf8(s, i, cp) && i == at ? start : at - 1;
}

// The character before byte `at` (false at the start or on invalid UTF-8).
bool char_before(std::string_view s, size_t at, uint32_t& cp) {
  if (at == 0) return false;
  size_t i = start_of_char_before(s, at);
  return next_utf8(s, i, cp) && i == at;
}

bool char_at(std::string_view s, size_t at, uint32_t& cp) {
  if (at >= s.size()) return false;
  size_t i = at;
  return next_utf8(s, i, cp);
}

}  // namespace

AddedTokenMatcher::AddedTokenMatcher(const std::vector<AddedToken>& tokens, const std::vector<std::string>& patterns)
    : tokens_(tokens) {
  for (size_t k = 0; k < tokens.size() && k < patterns.size(); ++k) {
    const std::string& p = patterns[k];
    if (p.empty()) continue;
    int node = 0;
    for (char c : p) {
      const uint64_t key = static_cast<uint64_t>(node) << 8 | static_cast<uint8_t>(c);
      auto it = edges_.find(key);
      if (it == edges_.end()) {
        it = edges_.emplace(key, static_cast<int>(terminal_.size())).first;
        terminal_.push_back(-1);
      }
      node = it->second;
    }
    if (terminal_[node] < 0) terminal_[node] = static_cast<int>(k);  // a repeated pattern: the first token
  }
}

int AddedTokenMatcher::child(int node, uint8_t byte) const {
  const auto it = edges_.find(static_cast<uint64_t>(node) << 8 | byte);
  return it == edges_.end() ? -1 : it->second;
}

std::vector<AddedMatch> AddedTokenMatcher::find(std::string_view text) const {
  std::vector<AddedMatch> out;
  if (empty()) return out;
  size_t taken = 0;  // bytes before this belong to an earlier match
  for (size_t i = 0; i < text.size();) {
    // The longest pattern starting at i.
    int node = 0, token = -1;
    size_t end = i;
    for (size_t j = i; j < text.size(); ++j) {
      node = child(node, static_cast<uint8_t>(text[j]));
      if (node < 0) break;
      if (terminal_[node] >= 0) token = terminal_[node], end = j + 1;
    }
    if (token < 0) {
      ++i;
      continue;
    }
    const AddedToken& t = tokens_[token];
    size_t begin = i;
    i = end;  // the search goes on after this match, kept or not
    uint32_t cp = 0;
    if (t.single_word && ((char_before(text, begin, cp) && is_word_char(cp)) || (char_at(text, end, cp) && is_word_char(cp))))
      continue;
    if (begin < taken) continue;
    if (t.lstrip)  // whitespace on the left, unless an earlier match took it
      while (begin > taken && char_before(text, begin, cp) && is_white_space(cp))
        begin = start_of_char_before(text, begin);
    if (t.rstrip)  // and on the right
      while (char_at(text, end, cp) && is_white_space(cp)) {
        size_t next = end;
        next_utf8(text, next, cp);
        end = next;
      }
    out.push_back({begin, end, t.id});
    taken = end;
    i = std::max(i, end);
  }
  return out;
}

}  // namespace attnscope::io
