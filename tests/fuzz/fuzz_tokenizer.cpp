// libFuzzer target for the tokenizer. The first byte picks the mode:
//  even: the rest is tokenizer.json text; loading must either succeed or
//        throw attnscope::Error, and a loaded tokenizer must encode a fixed
//        prompt without crashing (its own errors again as attnscope::Error);
//  odd:  the rest is a prompt for a fixed small tokenizer (every byte in the
//        vocabulary, a few merges, an added token); decoding its tokens must
//        give back the prompt's bytes and their spans must tile the prompt.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "core/io/tokenizer.h"
#include "core/util/error.h"

namespace {
using attnscope::io::Tokenizer;

const Tokenizer& fixed_tokenizer() {
  static const std::unique_ptr<Tokenizer> tok = [] {
    // GPT-2's byte table: printable Latin-1 bytes spell themselves, the rest
    // take code points 256 and up, so every byte has a vocabulary entry.
    std::string vocab;
    int next = 256, id = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
      const int cp = printable ? b : next++;
      char esc[16];
      std::snprintf(esc, sizeof esc, "\"\\u%04x\":%d,", cp, id++);
      vocab += esc;
    }
    vocab += R"("th":256,"the":257,"\u0120t":258,"\u0120the":259,"in":260,"\u00e4\u00b8":261,"he":264)";
    const std::string json =
        R"({"model":{"type":"BPE","vocab":{)" + vocab +
        R"(},"merges":["t h","th e","\u0120 t","h e","\u0120t he","i n",["\u00e4","\u00b8"]]},)"
        R"("added_tokens":[{"id":262,"content":"<|endoftext|>"},{"id":263,"content":"<|end|>"}],)"
        R"("pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"use_regex":true}})";
    return Tokenizer::from_json_text(json, "fuzz-fixed.json");
  }();
  return *tok;
}

void check_round_trip(const Tokenizer& tok, std::string_view text) {
  const auto tokens = tok.encode(text);
  std::string decoded;
  size_t at = 0;
  for (const auto& t : tokens) {
    if (t.byte_begin != at || t.byte_end < t.byte_begin) __builtin_trap();  // spans must tile the prompt
    at = t.byte_end;
    decoded += tok.token_bytes(t.id);
  }
  if (at != text.size() || decoded != text) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    check_round_trip(fixed_tokenizer(), rest);
    return 0;
  }
  try {
    const auto tok = Tokenizer::from_json_text(rest, "fuzz.json");
    tok->encode("Hello, world! It's 2024 <|endoftext|> caf\xC3\xA9 \xE4\xB8\xAD\n\t  x");
    tok->decode({0, 1, 2});
  } catch (const attnscope::Error&) {
  }
  return 0;
}
