#include "core/io/pretokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/util/error.h"

namespace attnscope::io {

const char* const kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {

class RegexSplit : public PreTokenizer {
 public:
  RegexSplit(const std::string& pattern, std::string behaviour, bool invert, const std::string& origin)
      : behaviour_(std::move(behaviour)), invert_(invert) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    // UCP: \s, \p{L}, \d follow Unicode, as the Rust regex engines of `tokenizers` do.
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.c_str()), pattern.size(),
                          PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF, &error, &offset, nullptr);
    if (!code_) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(error, message, sizeof message);
      throw Error(origin + ": split pattern does not compile at offset " + std::to_string(offset) + ": " +
                  reinterpret_cast<char*>(message));
    }
    pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE);  // optional speed-up; falls back silently
    for (const char* b : {"Isolated", "Removed", "MergedWithPrevious", "MergedWithNext", "Contiguous"})
      if (behaviour_ == b) return;
    throw Error(origin + ": split behaviour '" + behaviour_ + "' is not known");
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
