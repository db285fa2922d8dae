#pragma once
// Regular expressions as tokenizer.json writes them (Rust's regex and
// Oniguruma syntax, which PCRE2 reads), matched over UTF-8 with Unicode
// classes: \s is Unicode White_Space, \p{L} every letter.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct pcre2_real_code_8;

namespace attnscope::io {

class Regex {
 public:
  // Throws attnscope::Error naming `origin` and the offset when it does not compile.
  Regex(const std::string& pattern, const std::string& origin);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Every non-empty match, left to right, as byte ranges [begin, end).
  std::vector<std::pair<size_t, size_t>> find_all(std::string_view text) const;

  // A literal string as a pattern matching exactly it.
  static std::string escape(std::string_view literal);

 private:
  pcre2_real_code_8* code_ = nullptr;
};

}  // namespace attnscope::io
