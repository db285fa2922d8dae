#include "core/io/text/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cctype>

#include "core/util/error.h"

namespace attnscope::io {
namespace {

// PCRE2's \s (with UCP) also matches U+180E, which Unicode 6.3 took out of
// White_Space; GPT-2's own encoder (Python `regex`) does not, so " \u180e!"
// would pre-tokenize differently. \s and \S are therefore
// spelled as the White_Space set: tab..CR, U+0085 and the Z categories.
// (\S inside a [...] class has no such spelling and is left to PCRE2, and
// so are patterns with the x flag, whose comments could hide a '['.)
std::string with_white_space(const std::string& p) {
  for (size_t k = p.find("(?"); k != std::string::npos; k = p.find("(?", k + 1))
    for (size_t i = k + 2; i < p.size() && (std::isalpha(static_cast<unsigned char>(p[i])) || p[i] == '-'); ++i)
      if (p[i] == 'x') return p;
  static const std::string kWhite = R"(\t-\r\x{85}\p{Z})";
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char e = p[i + 1];
      if (e == 'Q') {  // \Q...\E quotes literally: copy it as is
        const size_t end = p.find("\\E", i + 2);
        const size_t stop = end == std::string::npos ? p.size() : end + 2;
        out.append(p, i, stop - i);
        i = stop - 1;
        continue;
      }
      if (e == 's') out += in_class ? kWhite : "[" + kWhite + "]";
      else if (e == 'S' && !in_class) out += "[^" + kWhite + "]";
      else out.append(p, i, 2);
      ++i;
      continue;
    }
    out += c;
    if (!in_class && c == '[') {
      in_class = true;
      // A ']' just after '[' or '[^' is a member, not the end of the class.
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];
    } else if (in_class && c == '[' && i + 1 < p.size() && p[i + 1] == ':') {
      const size_t end = p.find(":]", i + 2);  // a POSIX class such as [:alpha:]
      if (end != std::string::npos) out.append(p, i + 1, end + 1 - i), i = end + 1;
    } else if (in_class && c == ']') {
      in_class = false;
    }
  }
  return out;
}

}  // namespace

Regex::Regex(const std::string& pattern, const std::string& origin) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  // UCP: \s, \p{L}, \d follow Unicode, as the Rust regex engines of `tokenizers` do.
  const uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
  code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.c_str()), pattern.size(), options, &error, &offset,
                        nullptr);
  if (!code_) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw Error(origin + ": pattern does not compile at offset " + std::to_string(offset) + ": " +
                reinterpret_cast<char*>(message));
  }
  // The pattern is valid as written (errors above name offsets in it); run
  // it with \s spelled as Unicode White_Space.
  const std::string spelled = with_white_space(pattern);
  if (pcre2_code* exact = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(spelled.c_str()), spelled.size(), options,
                                        &error, &offset, nullptr)) {
    pcre2_code_free(code_);
    code_ = exact;
  }
  pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE);  // optional speed-up; falls back silently
}

Regex::~Regex() { pcre2_code_free(code_); }

std::vector<std::pair<size_t, size_t>> Regex::find_all(std::string_view text) const {
  std::vector<std::pair<size_t, size_t>> out;
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(code_, nullptr);
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  const size_t length = text.size();
  size_t at = 0;
  while (at <= length) {
    const int rc = pcre2_match(code_, subject, length, at, 0, md, nullptr);
    if (rc < 0) break;
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    const size_t s = ov[0], e = ov[1];
    if (e <= s) {  // empty match: step one character
      at = s + 1;
      while (at < length && (static_cast<uint8_t>(subject[at]) & 0xC0) == 0x80) ++at;
      continue;
    }
    out.emplace_back(s, e);
    at = e;
  }
  pcre2_match_data_free(md);
  return out;
}

std::string Regex::escape(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace attnscope::io
