#include "core/io/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cctype>

#include "core/util/error.h"

namespace attnscope::io {

const char* const kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

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

class RegexSplit : public PreTokenizer {
 public:
  RegexSplit(const std::string& pattern, std::string behaviour, bool invert, const std::string& origin)
      : behaviour_(std::move(behaviour)), invert_(invert) {
    // Checked before compiling: a throw after it would leak the compiled code.
    bool known = false;
    for (const char* b : {"Isolated", "Removed", "MergedWithPrevious", "MergedWithNext", "Contiguous"})
      known = known || behaviour_ == b;
    if (!known) throw Error(origin + ": split behaviour '" + behaviour_ + "' is not known");
    int error = 0;
    PCRE2_SIZE offset = 0;
    // UCP: \s, \p{L}, \d follow Unicode, as the Rust regex engines of `tokenizers` do.
    const uint32_t options = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.c_str()), pattern.size(), options, &error, &offset,
                          nullptr);
    if (!code_) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(error, message, sizeof message);
      throw Error(origin + ": split pattern does not compile at offset " + std::to_string(offset) + ": " +
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
  ~RegexSplit() override { pcre2_code_free(code_); }

  std::vector<Piece> split(std::string_view text, const std::vector<Piece>& pieces) const override {
    std::vector<Piece> out;
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(code_, nullptr);
    for (const auto& p : pieces) split_one(text, p, md, out);
    pcre2_match_data_free(md);
    return out;
  }

 private:
  // Matches and the gaps between them, marked by whether they are "delimiters".
  void split_one(std::string_view text, const Piece& piece, pcre2_match_data* md, std::vector<Piece>& out) const {
    std::vector<std::pair<Piece, bool>> parts;  // (span, is_match)
    const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data() + piece.begin);
    const size_t length = piece.end - piece.begin;
    size_t at = 0, gap = 0;
    while (at <= length) {
      const int rc = pcre2_match(code_, subject, length, at, 0, md, nullptr);
      if (rc < 0) break;
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
      size_t s = ov[0], e = ov[1];
      if (e == s) {  // empty match: step one character
        at = s + 1;
        while (at < length && (static_cast<uint8_t>(subject[at]) & 0xC0) == 0x80) ++at;
        continue;
      }
      if (s > gap) parts.push_back({{piece.begin + gap, piece.begin + s}, false});
      parts.push_back({{piece.begin + s, piece.begin + e}, true});
      gap = at = e;
    }
    if (gap < length) parts.push_back({{piece.begin + gap, piece.end}, false});
    if (invert_)
      for (auto& p : parts) p.second = !p.second;
    // Apply the behaviour to the delimiters (the matches unless inverted).
    std::vector<Piece> result;
    bool merge_next = false;
    for (size_t i = 0; i < parts.size(); ++i) {
      const auto& [span, delimiter] = parts[i];
      if (behaviour_ == "Isolated" || !delimiter) {
        if (merge_next && !result.empty()) result.back().end = span.end;
        else result.push_back(span);
        merge_next = false;
        continue;
      }
      if (behaviour_ == "Removed") continue;
      if (behaviour_ == "MergedWithPrevious") {
        if (!result.empty() && result.back().end == span.begin) result.back().end = span.end;
        else result.push_back(span);
      } else if (behaviour_ == "MergedWithNext") {
        result.push_back(span);
        merge_next = true;
      } else {  // Contiguous: consecutive delimiters become one piece
        if (i > 0 && parts[i - 1].second && !result.empty()) result.back().end = span.end;
        else result.push_back(span);
      }
    }
    out.insert(out.end(), result.begin(), result.end());
  }

  pcre2_code* code_ = nullptr;
  std::string behaviour_;
  bool invert_;
};

class Digits : public PreTokenizer {
 public:
  explicit Digits(bool individual) : individual_(individual) {}
  std::vector<Piece> split(std::string_view text, const std::vector<Piece>& pieces) const override {
    std::vector<Piece> out;
    for (const auto& p : pieces) {
      size_t start = p.begin;
      for (size_t i = p.begin; i < p.end; ++i) {
        const bool digit = text[i] >= '0' && text[i] <= '9';
        const bool prev_digit = i > p.begin && text[i - 1] >= '0' && text[i - 1] <= '9';
        if (i > start && (digit != prev_digit || (digit && individual_))) out.push_back({start, i}), start = i;
      }
      if (start < p.end) out.push_back({start, p.end});
    }
    return out;
  }

 private:
  bool individual_;
};

class Sequence : public PreTokenizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<PreTokenizer>> steps) : steps_(std::move(steps)) {}
  std::vector<Piece> split(std::string_view text, const std::vector<Piece>& pieces) const override {
    std::vector<Piece> current = pieces;
    for (const auto& s : steps_) current = s->split(text, current);
    return current;
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

class NoSplit : public PreTokenizer {
 public:
  std::vector<Piece> split(std::string_view, const std::vector<Piece>& pieces) const override { return pieces; }
};

std::string pattern_of(const nlohmann::json& spec, const std::string& origin) {
  const auto& p = spec.at("pattern");
  if (p.contains("Regex")) return p.at("Regex").get<std::string>();
  if (p.contains("String")) {  // a literal: escape it for PCRE2
    std::string s = p.at("String").get<std::string>(), out;
    for (char c : s) {
      if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) out += '\\';
      out += c;
    }
    return out;
  }
  throw Error(origin + ": split pattern is neither Regex nor String");
}

}  // namespace

std::unique_ptr<PreTokenizer> make_regex_split(const std::string& pattern, const std::string& behaviour, bool invert,
                                               const std::string& origin) {
  return std::make_unique<RegexSplit>(pattern, behaviour, invert, origin);
}

std::unique_ptr<PreTokenizer> make_pretokenizer(const nlohmann::json& spec, bool& add_prefix_space,
                                                const std::string& origin) {
  if (spec.is_null()) return std::make_unique<NoSplit>();
  if (!spec.is_object() || !spec.contains("type")) throw Error(origin + ": pre_tokenizer has no type");
  const std::string type = spec.at("type").get<std::string>();
  if (type == "ByteLevel") {
    add_prefix_space = add_prefix_space || spec.value("add_prefix_space", false);
    if (!spec.value("use_regex", true)) return std::make_unique<NoSplit>();
    return make_regex_split(kGpt2Pattern, "Isolated", false, origin);
  }
  if (type == "Split")
    return make_regex_split(pattern_of(spec, origin), spec.value("behavior", std::string("Isolated")),
                            spec.value("invert", false), origin);
  if (type == "Digits") return std::make_unique<Digits>(spec.value("individual_digits", false));
  if (type == "Sequence") {
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    for (const auto& s : spec.at("pretokenizers")) steps.push_back(make_pretokenizer(s, add_prefix_space, origin));
    return std::make_unique<Sequence>(std::move(steps));
  }
  throw Error(origin + ": pre_tokenizer type '" + type + "' is not supported (AttnScope reads byte-level BPE)");
}

}  // namespace attnscope::io
