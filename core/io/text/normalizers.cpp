#include "core/io/text/normalizers.h"

#include <vector>

#include "core/io/text/regex.h"
#include "core/io/text/unicode.h"
#include "core/util/error.h"

namespace attnscope::io {
namespace {
using nlohmann::json;

class UnicodeForm : public Normalizer {
 public:
  explicit UnicodeForm(NormalForm form) : form_(form) {}
  AlignedText apply(const AlignedText& in) const override { return normalize(in, form_); }

 private:
  NormalForm form_;
};

class Lowercase : public Normalizer {
 public:
  AlignedText apply(const AlignedText& in) const override {
    return rewrite_chars(in, [](uint32_t cp, std::string& out) {
      append_lowercase(cp, out);
      return true;
    });
  }
};

// Removes White_Space at either end.
class Strip : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  AlignedText apply(const AlignedText& in) const override {
    size_t begin = 0, end = in.text.size();
    // Character starts, to step back over the last character.
    std::vector<size_t> starts;
    for (size_t i = 0; i < in.text.size();) {
      starts.push_back(i);
      uint32_t cp = 0;
      next_utf8(in.text, i, cp);
    }
    auto white_at = [&](size_t k) {
      size_t i = starts[k];
      uint32_t cp = 0;
      return next_utf8(in.text, i, cp) && is_white_space(cp);
    };
    size_t first = 0, last = starts.size();
    if (left_)
      while (first < last && white_at(first)) ++first;
    if (right_)
      while (last > first && white_at(last - 1)) --last;
    begin = first < starts.size() ? starts[first] : in.text.size();
    end = last < starts.size() ? starts[last] : in.text.size();
    return in.slice(begin, end);
  }

 private:
  bool left_, right_;
};

// Drops non-spacing marks (expected after NFD/NFKD, as in BERT's pipeline).
class StripAccents : public Normalizer {
 public:
  AlignedText apply(const AlignedText& in) const override {
    return rewrite_chars(in, [](uint32_t cp, std::string&) { return is_nonspacing_mark(cp); });
  }
};

class Replace : public Normalizer {
 public:
  Replace(const std::string& pattern, std::string content, const std::string& origin)
      : regex_(pattern, origin + ": normalizer Replace"), content_(std::move(content)) {}
  AlignedText apply(const AlignedText& in) const override {
    AlignedText out;
    size_t at = 0;
    for (const auto& [s, e] : regex_.find_all(in.text)) {
      out.append_from(in, at, s);
      out.append(content_, in.span_of(s, e));
      at = e;
    }
    out.append_from(in, at, in.text.size());
    return out;
  }

 private:
  Regex regex_;
  std::string content_;
};

class Prepend : public Normalizer {
 public:
  explicit Prepend(std::string prefix) : prefix_(std::move(prefix)) {}
  AlignedText apply(const AlignedText& in) const override {
    if (in.empty()) return in;
    AlignedText out;
    out.append(prefix_, in.point_before(0));
    out.append_from(in, 0, in.text.size());
    return out;
  }

 private:
  std::string prefix_;
};

class Sequence : public Normalizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Normalizer>> steps) : steps_(std::move(steps)) {}
  AlignedText apply(const AlignedText& in) const override {
    AlignedText text = in;
    for (const auto& s : steps_) text = s->apply(text);
    return text;
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> steps_;
};

std::string string_field(const json& spec, const char* key, const std::string& origin) {
  if (!spec.contains(key) || !spec.at(key).is_string())
    throw Error(origin + ": normalizer " + spec.value("type", std::string("?")) + " has no string '" + key + "'");
  return spec.at(key).get<std::string>();
}

// {"String": "x"} or {"Regex": "..."}, as a pattern.
std::string pattern_of(const json& spec, const std::string& origin) {
  const json& p = spec.contains("pattern") ? spec.at("pattern") : json();
  if (p.is_object() && p.contains("String") && p.at("String").is_string())
    return Regex::escape(p.at("String").get<std::string>());
  if (p.is_object() && p.contains("Regex") && p.at("Regex").is_string()) return p.at("Regex").get<std::string>();
  throw Error(origin + ": normalizer Replace has no String or Regex pattern");
}

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const json& spec, const std::string& origin) {
  if (spec.is_null()) return nullptr;
  if (!spec.is_object() || !spec.contains("type") || !spec.at("type").is_string())
    throw Error(origin + ": normalizer has no type");
  const std::string type = spec.at("type").get<std::string>();
  if (type == "NFC") return std::make_unique<UnicodeForm>(NormalForm::NFC);
  if (type == "NFD") return std::make_unique<UnicodeForm>(NormalForm::NFD);
  if (type == "NFKC") return std::make_unique<UnicodeForm>(NormalForm::NFKC);
  if (type == "NFKD") return std::make_unique<UnicodeForm>(NormalForm::NFKD);
  if (type == "Lowercase") return std::make_unique<Lowercase>();
  if (type == "StripAccents") return std::make_unique<StripAccents>();
  if (type == "Strip") {
    const bool left = spec.contains("strip_left") ? spec.at("strip_left").get<bool>() : spec.value("left", true);
    const bool right = spec.contains("strip_right") ? spec.at("strip_right").get<bool>() : spec.value("right", true);
    return std::make_unique<Strip>(left, right);
  }
  if (type == "Replace")
    return std::make_unique<Replace>(pattern_of(spec, origin), string_field(spec, "content", origin), origin);
  if (type == "Prepend") return std::make_unique<Prepend>(string_field(spec, "prepend", origin));
  if (type == "Sequence") {
    if (!spec.contains("normalizers") || !spec.at("normalizers").is_array())
      throw Error(origin + ": normalizer Sequence has no list of normalizers");
    std::vector<std::unique_ptr<Normalizer>> steps;
    for (const auto& s : spec.at("normalizers"))
      if (auto step = make_normalizer(s, origin)) steps.push_back(std::move(step));
    if (steps.empty()) return nullptr;
    return std::make_unique<Sequence>(std::move(steps));
  }
  throw Error(origin + ": normalizer type '" + type +
              "' is not supported (AttnScope reads NFC, NFD, NFKC, NFKD, Lowercase, Strip, StripAccents, Replace, "
              "Prepend and Sequence)");
}

}  // namespace attnscope::io
