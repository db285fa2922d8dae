#include "core/io/text/pre_tokenizers.h"

#include "core/io/text/byte_level.h"
#include "core/io/text/regex.h"
#include "core/io/text/unicode.h"
#include "core/util/error.h"

namespace attnscope::io {

const char* const kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

namespace {
using nlohmann::json;

enum class Behaviour { Isolated, Removed, MergedWithPrevious, MergedWithNext, Contiguous };

Behaviour behaviour_named(const std::string& name, const std::string& origin) {
  if (name == "Isolated") return Behaviour::Isolated;
  if (name == "Removed") return Behaviour::Removed;
  if (name == "MergedWithPrevious") return Behaviour::MergedWithPrevious;
  if (name == "MergedWithNext") return Behaviour::MergedWithNext;
  if (name == "Contiguous") return Behaviour::Contiguous;
  throw Error(origin + ": split behaviour '" + name + "' is not known");
}

// Cuts one piece at the delimiters (the matches, or the gaps when inverted),
// which the behaviour keeps alone, drops, or joins to a neighbour.
void split_at(const AlignedText& piece, const std::vector<std::pair<size_t, size_t>>& matches, Behaviour behaviour,
              bool invert, std::vector<AlignedText>& out) {
  struct Part {
    size_t begin, end;
    bool delimiter;
  };
  std::vector<Part> parts;
  size_t gap = 0;
  for (const auto& [s, e] : matches) {
    if (s > gap) parts.push_back({gap, s, invert});
    parts.push_back({s, e, !invert});
    gap = e;
  }
  if (gap < piece.size()) parts.push_back({gap, piece.size(), invert});
  std::vector<std::pair<size_t, size_t>> result;
  bool merge_next = false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Part& p = parts[i];
    if (behaviour == Behaviour::Isolated || !p.delimiter) {
      if (merge_next && !result.empty()) result.back().second = p.end;
      else result.emplace_back(p.begin, p.end);
      merge_next = false;
      continue;
    }
    switch (behaviour) {
      case Behaviour::Removed: break;
      case Behaviour::MergedWithPrevious:
        if (!result.empty() && result.back().second == p.begin) result.back().second = p.end;
        else result.emplace_back(p.begin, p.end);
        break;
      case Behaviour::MergedWithNext:
        result.emplace_back(p.begin, p.end);
        merge_next = true;
        break;
      default:  // Contiguous: consecutive delimiters become one piece
        if (i > 0 && parts[i - 1].delimiter && !result.empty()) result.back().second = p.end;
        else result.emplace_back(p.begin, p.end);
    }
  }
  for (const auto& [b, e] : result)
    if (e > b) out.push_back(piece.slice(b, e));
}

class RegexSplit : public PreTokenizer {
 public:
  RegexSplit(const std::string& pattern, Behaviour behaviour, bool invert, const std::string& origin)
      : regex_(pattern, origin + ": split"), behaviour_(behaviour), invert_(invert) {}
  std::vector<AlignedText> split(std::vector<AlignedText> pieces) const override {
    std::vector<AlignedText> out;
    for (const auto& p : pieces) split_at(p, regex_.find_all(p.text), behaviour_, invert_, out);
    return out;
  }

 private:
  Regex regex_;
  Behaviour behaviour_;
  bool invert_;
};

// Every character of a class is a delimiter of its own (Punctuation, CharDelimiterSplit).
template <typename IsDelimiter>
class CharSplit : public PreTokenizer {
 public:
  CharSplit(IsDelimiter is_delimiter, Behaviour behaviour) : is_delimiter_(is_delimiter), behaviour_(behaviour) {}
  std::vector<AlignedText> split(std::vector<AlignedText> pieces) const override {
    std::vector<AlignedText> out;
    for (const auto& p : pieces) {
      std::vector<std::pair<size_t, size_t>> matches;
      for (size_t i = 0; i < p.text.size();) {
        const size_t start = i;
        uint32_t cp = 0;
        if (next_utf8(p.text, i, cp) && is_delimiter_(cp)) matches.emplace_back(start, i);
      }
      split_at(p, matches, behaviour_, false, out);
    }
    return out;
  }

 private:
  IsDelimiter is_delimiter_;
  Behaviour behaviour_;
};

template <typename IsDelimiter>
std::unique_ptr<PreTokenizer> char_split(IsDelimiter f, Behaviour b) {
  return std::make_unique<CharSplit<IsDelimiter>>(f, b);
}

// ASCII digits apart from the rest; each digit alone when `individual`.
class Digits : public PreTokenizer {
 public:
  explicit Digits(bool individual) : individual_(individual) {}
  std::vector<AlignedText> split(std::vector<AlignedText> pieces) const override {
    std::vector<AlignedText> out;
    for (const auto& p : pieces) {
      size_t start = 0;
      const auto digit = [&](size_t i) { return p.text[i] >= '0' && p.text[i] <= '9'; };
      for (size_t i = 1; i < p.text.size(); ++i)
        if (digit(i) != digit(i - 1) || (digit(i) && individual_)) out.push_back(p.slice(start, i)), start = i;
      if (start < p.text.size()) out.push_back(p.slice(start, p.text.size()));
    }
    return out;
  }

 private:
  bool individual_;
};

// The byte alphabet (every byte a printable character), after an optional
// prefix space and GPT-2's regex.
class ByteLevelStep : public PreTokenizer {
 public:
  ByteLevelStep(bool add_prefix_space, bool use_regex) : add_prefix_space_(add_prefix_space) {
    if (use_regex) regex_ = std::make_unique<Regex>(kGpt2Pattern, "GPT-2 pattern");
  }
  std::vector<AlignedText> split(std::vector<AlignedText> pieces) const override {
    std::vector<AlignedText> cut;
    for (auto& p : pieces) {
      if (add_prefix_space_ && !p.text.empty() && p.text[0] != ' ') {
        AlignedText spaced;
        spaced.append(" ", p.point_before(0));
        spaced.append_from(p, 0, p.size());
        p = std::move(spaced);
      }
      if (regex_) split_at(p, regex_->find_all(p.text), Behaviour::Isolated, false, cut);
      else if (!p.empty()) cut.push_back(std::move(p));
    }
    const ByteLevel& table = ByteLevel::instance();
    std::vector<AlignedText> out;
    for (const auto& p : cut) {
      AlignedText spelled;
      for (size_t i = 0; i < p.size(); ++i) spelled.append(table.spell(static_cast<uint8_t>(p.text[i])), p.origin[i]);
      out.push_back(std::move(spelled));
    }
    return out;
  }

 private:
  bool add_prefix_space_;
  std::unique_ptr<Regex> regex_;
};

// SentencePiece's convention: spaces become the replacement ('▁'), one is
// prepended (to every piece, to the prompt's first only, or never), and the
// text is cut before each replacement.
class Metaspace : public PreTokenizer {
 public:
  enum class Prepend { Always, First, Never };
  Metaspace(std::string replacement, Prepend prepend, bool split)
      : replacement_(std::move(replacement)), prepend_(prepend), split_(split),
        regex_(Regex::escape(replacement_), "Metaspace") {}
  std::vector<AlignedText> split(std::vector<AlignedText> pieces) const override {
    std::vector<AlignedText> out;
    for (const auto& p : pieces) {
      AlignedText text = rewrite_chars(p, [&](uint32_t cp, std::string& o) {
        if (cp != ' ') return false;
        o += replacement_;
        return true;
      });
      const bool starts = text.text.compare(0, replacement_.size(), replacement_) == 0;
      const bool at_prompt_start = !p.origin.empty() && p.origin.front().begin == 0;
      if (!starts && (prepend_ == Prepend::Always || (prepend_ == Prepend::First && at_prompt_start))) {
        AlignedText with;
        with.append(replacement_, text.point_before(0));
        with.append_from(text, 0, text.size());
        text = std::move(with);
      }
      if (split_) split_at(text, regex_.find_all(text.text), Behaviour::MergedWithNext, false, out);
      else if (!text.empty()) out.push_back(std::move(text));
    }
    return out;
  }

 private:
  std::string replacement_;
  Prepend prepend_;
  bool split_;
  Regex regex_;
};

class Sequence : public PreTokenizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<PreTokenizer>> steps) : steps_(std::move(steps)) {}
  std::vector<AlignedText> split(std::vector<AlignedText> pieces) const override {
    for (const auto& s : steps_) pieces = s->split(std::move(pieces));
    return pieces;
  }

 private:
  std::vector<std::unique_ptr<PreTokenizer>> steps_;
};

class NoSplit : public PreTokenizer {
 public:
  std::vector<AlignedText> split(std::vector<AlignedText> pieces) const override { return pieces; }
};

std::string pattern_of(const json& spec, const std::string& origin) {
  const json& p = spec.contains("pattern") ? spec.at("pattern") : json();
  if (p.is_object() && p.contains("Regex") && p.at("Regex").is_string()) return p.at("Regex").get<std::string>();
  if (p.is_object() && p.contains("String") && p.at("String").is_string())
    return Regex::escape(p.at("String").get<std::string>());
  throw Error(origin + ": split pattern is neither Regex nor String");
}

Metaspace::Prepend prepend_scheme(const json& spec, const std::string& origin) {
  if (spec.contains("prepend_scheme") && spec.at("prepend_scheme").is_string()) {
    const std::string s = spec.at("prepend_scheme").get<std::string>();
    if (s == "always") return Metaspace::Prepend::Always;
    if (s == "first") return Metaspace::Prepend::First;
    if (s == "never") return Metaspace::Prepend::Never;
    throw Error(origin + ": Metaspace prepend_scheme '" + s + "' is not always, first or never");
  }
  return spec.value("add_prefix_space", true) ? Metaspace::Prepend::Always : Metaspace::Prepend::Never;  // older files
}

}  // namespace

std::unique_ptr<PreTokenizer> make_regex_split(const std::string& pattern, const std::string& behaviour, bool invert,
                                               const std::string& origin) {
  const Behaviour b = behaviour_named(behaviour, origin);  // checked before compiling
  return std::make_unique<RegexSplit>(pattern, b, invert, origin);
}

std::unique_ptr<PreTokenizer> make_byte_level(bool add_prefix_space, bool use_regex) {
  return std::make_unique<ByteLevelStep>(add_prefix_space, use_regex);
}

std::unique_ptr<PreTokenizer> make_pretokenizer(const json& spec, bool& byte_level, const std::string& origin) {
  if (spec.is_null()) return std::make_unique<NoSplit>();
  if (!spec.is_object() || !spec.contains("type") || !spec.at("type").is_string())
    throw Error(origin + ": pre_tokenizer has no type");
  const std::string type = spec.at("type").get<std::string>();
  if (type == "ByteLevel") {
    byte_level = true;
    return make_byte_level(spec.value("add_prefix_space", false), spec.value("use_regex", true));
  }
  if (type == "Split")
    return make_regex_split(pattern_of(spec, origin), spec.value("behavior", std::string("Isolated")),
                            spec.value("invert", false), origin);
  if (type == "Metaspace") {
    const std::string replacement = spec.value("replacement", std::string("\xE2\x96\x81"));
    if (replacement.empty()) throw Error(origin + ": Metaspace replacement is empty");
    return std::make_unique<Metaspace>(replacement, prepend_scheme(spec, origin), spec.value("split", true));
  }
  if (type == "Digits") return std::make_unique<Digits>(spec.value("individual_digits", false));
  if (type == "Whitespace") return make_regex_split(R"(\w+|[^\w\s]+)", "Removed", true, origin);
  if (type == "WhitespaceSplit") return char_split(is_white_space, Behaviour::Removed);
  if (type == "Punctuation")
    return char_split(is_punctuation, behaviour_named(spec.value("behavior", std::string("Isolated")), origin));
  if (type == "CharDelimiterSplit") {
    const std::string d = spec.value("delimiter", std::string());
    size_t i = 0;
    uint32_t delimiter = 0;
    if (d.empty() || !next_utf8(d, i, delimiter) || i != d.size())
      throw Error(origin + ": CharDelimiterSplit needs one delimiter character");
    return char_split([delimiter](uint32_t cp) { return cp == delimiter; }, Behaviour::Removed);
  }
  if (type == "BertPreTokenizer") {
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    steps.push_back(char_split(is_white_space, Behaviour::Removed));
    steps.push_back(char_split(is_punctuation, Behaviour::Isolated));
    return std::make_unique<Sequence>(std::move(steps));
  }
  if (type == "Sequence") {
    if (!spec.contains("pretokenizers") || !spec.at("pretokenizers").is_array())
      throw Error(origin + ": pre_tokenizer Sequence has no list of pretokenizers");
    std::vector<std::unique_ptr<PreTokenizer>> steps;
    for (const auto& s : spec.at("pretokenizers")) steps.push_back(make_pretokenizer(s, byte_level, origin));
    return std::make_unique<Sequence>(std::move(steps));
  }
  throw Error(origin + ": pre_tokenizer type '" + type + "' is not supported");
}

std::vector<std::pair<size_t, size_t>> gpt2_pieces(std::string_view text) {
  static const Regex regex(kGpt2Pattern, "GPT-2 pattern");
  std::vector<std::pair<size_t, size_t>> out;
  size_t gap = 0;
  for (const auto& [s, e] : regex.find_all(text)) {
    if (s > gap) out.emplace_back(gap, s);
    out.emplace_back(s, e);
    gap = e;
  }
  if (gap < text.size()) out.emplace_back(gap, text.size());
  return out;
}

}  // namespace attnscope::io
