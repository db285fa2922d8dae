#include "core/io/text/decoders.h"

#include <cctype>

#include "core/io/text/byte_level.h"
#include "core/io/text/utf8.h"
#include "core/util/error.h"

namespace attnscope::io {
namespace {
using nlohmann::json;

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  std::string out;
  size_t at = 0;
  for (size_t hit = text.find(from); hit != std::string::npos; hit = text.find(from, at)) {
    out.append(text, at, hit - at);
    out += to;
    at = hit + from.size();
  }
  out.append(text, at, std::string::npos);
  return out;
}

// Decoders that act on each token alone.
class PerToken : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (auto& t : tokens) t = decode_token(std::move(t));
    return tokens;
  }
};

class ByteLevelDecoder : public PerToken {
 public:
  std::string decode_token(std::string token) const override {
    std::string bytes;
    return ByteLevel::instance().decode(token, bytes) ? bytes : token;  // not byte-level spelled: as is
  }
};

class Replace : public PerToken {
 public:
  Replace(std::string from, std::string to) : from_(std::move(from)), to_(std::move(to)) {}
  std::string decode_token(std::string token) const override { return replace_all(std::move(token), from_, to_); }

 private:
  std::string from_, to_;
};

class ByteFallback : public PerToken {
 public:
  std::string decode_token(std::string token) const override {
    if (token.size() == 6 && token.compare(0, 3, "<0x") == 0 && token[5] == '>' &&
        std::isxdigit(static_cast<unsigned char>(token[3])) && std::isxdigit(static_cast<unsigned char>(token[4])))
      return std::string(1, static_cast<char>(std::stoi(token.substr(3, 2), nullptr, 16)));
    return token;
  }
};

class Fuse : public Decoder {
 public:
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    std::string all;
    for (const auto& t : tokens) all += t;
    return {all};
  }
  std::string decode_token(std::string token) const override { return token; }
};

// Removes up to `start` copies of `content` from each token's front, `stop` from its back.
class Strip : public Decoder {
 public:
  Strip(std::string content, size_t start, size_t stop) : content_(std::move(content)), start_(start), stop_(stop) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (auto& t : tokens) {
      for (size_t k = 0; k < start_ && !content_.empty() && t.compare(0, content_.size(), content_) == 0; ++k)
        t.erase(0, content_.size());
      for (size_t k = 0; k < stop_ && !content_.empty() && t.size() >= content_.size() &&
                         t.compare(t.size() - content_.size(), content_.size(), content_) == 0;
           ++k)
        t.erase(t.size() - content_.size());
    }
    return tokens;
  }
  std::string decode_token(std::string token) const override { return token; }

 private:
  std::string content_;
  size_t start_, stop_;
};

// '▁' back to spaces; the text's first space was added by the pre-tokenizer and goes.
class Metaspace : public Decoder {
 public:
  Metaspace(std::string replacement, bool strip_first) : replacement_(std::move(replacement)), strip_first_(strip_first) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      tokens[i] = decode_token(std::move(tokens[i]));
      if (i == 0 && strip_first_ && !tokens[i].empty() && tokens[i][0] == ' ') tokens[i].erase(0, 1);
    }
    return tokens;
  }
  std::string decode_token(std::string token) const override { return replace_all(std::move(token), replacement_, " "); }

 private:
  std::string replacement_;
  bool strip_first_;
};

// end_of_word_suffix back to spaces between words.
class BpeSuffix : public Decoder {
 public:
  explicit BpeSuffix(std::string suffix) : suffix_(std::move(suffix)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i)
      tokens[i] = replace_all(std::move(tokens[i]), suffix_, i + 1 == tokens.size() ? "" : " ");
    return tokens;
  }
  std::string decode_token(std::string token) const override { return replace_all(std::move(token), suffix_, " "); }

 private:
  std::string suffix_;
};

class Sequence : public Decoder {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Decoder>> steps) : steps_(std::move(steps)) {}
  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    for (const auto& s : steps_) tokens = s->decode_chain(std::move(tokens));
    return tokens;
  }
  std::string decode_token(std::string token) const override {
    for (const auto& s : steps_) token = s->decode_token(std::move(token));
    return token;
  }

 private:
  std::vector<std::unique_ptr<Decoder>> steps_;
};

std::string literal_pattern(const json& spec, const std::string& origin) {
  const json& p = spec.contains("pattern") ? spec.at("pattern") : json();
  if (p.is_object() && p.contains("String") && p.at("String").is_string()) return p.at("String").get<std::string>();
  throw Error(origin + ": decoder Replace needs a String pattern");
}

}  // namespace

std::unique_ptr<Decoder> make_decoder(const json& spec, const std::string& origin) {
  if (spec.is_null()) return nullptr;
  if (!spec.is_object() || !spec.contains("type") || !spec.at("type").is_string())
    throw Error(origin + ": decoder has no type");
  const std::string type = spec.at("type").get<std::string>();
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "ByteFallback") return std::make_unique<ByteFallback>();
  if (type == "Fuse") return std::make_unique<Fuse>();
  if (type == "Replace") return std::make_unique<Replace>(literal_pattern(spec, origin), spec.value("content", std::string()));
  if (type == "Strip")
    return std::make_unique<Strip>(spec.value("content", std::string(" ")), spec.value("start", size_t(0)),
                                   spec.value("stop", size_t(0)));
  if (type == "Metaspace") {
    const std::string scheme = spec.value("prepend_scheme", std::string(spec.value("add_prefix_space", true) ? "always" : "never"));
    return std::make_unique<Metaspace>(spec.value("replacement", std::string("\xE2\x96\x81")), scheme != "never");
  }
  if (type == "BPEDecoder") return std::make_unique<BpeSuffix>(spec.value("suffix", std::string("</w>")));
  if (type == "Sequence") {
    if (!spec.contains("decoders") || !spec.at("decoders").is_array())
      throw Error(origin + ": decoder Sequence has no list of decoders");
    std::vector<std::unique_ptr<Decoder>> steps;
    for (const auto& s : spec.at("decoders"))
      if (auto step = make_decoder(s, origin)) steps.push_back(std::move(step));
    return std::make_unique<Sequence>(std::move(steps));
  }
  throw Error(origin + ": decoder type '" + type + "' is not supported");
}

}  // namespace attnscope::io
