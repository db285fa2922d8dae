#pragma once
// Text as a tokenizer transforms it, each byte remembering which bytes of the
// prompt it came from: normalizers (NFC, replacements, a prepended '▁') and
// the byte-level alphabet change the text, yet every token must still point
// at its span of the prompt, for axis labels and the session's byte spans.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/text/utf8.h"

namespace attnscope::io {

struct Span {
  uint32_t begin = 0, end = 0;  // bytes of the prompt, [begin, end)
};

struct AlignedText {
  std::string text;
  std::vector<Span> origin;  // one per byte of text

  // The prompt itself (or its part at `offset`): byte i comes from byte i.
  static AlignedText original(std::string_view text, size_t offset = 0);
  bool empty() const { return text.empty(); }
  size_t size() const { return text.size(); }
  // Bytes [begin, end) with their origins.
  AlignedText slice(size_t begin, size_t end) const;
  // Appends bytes that all come from `from`.
  void append(std::string_view bytes, Span from);
  // Appends bytes [begin, end) of `other` with their origins.
  void append_from(const AlignedText& other, size_t begin, size_t end);
  // The prompt bytes that bytes [begin, end) of the text come from; an empty
  // range is an empty span where it stands.
  Span span_of(size_t begin, size_t end) const;
  // The span of the character starting at byte `at` that is `length` bytes long.
  Span char_span(size_t at, size_t length) const { return span_of(at, at + length); }
  // Where text inserted before byte `at` comes from: nothing, just there.
  Span point_before(size_t at) const;
};

// Rewrites text character by character: `rewrite(codepoint, out)` appends the
// replacement and returns true, or returns false to keep the character.
// Invalid UTF-8 bytes are kept as they are. Replacements take the origin of
// the character they replace.
template <typename Rewrite>
AlignedText rewrite_chars(const AlignedText& in, Rewrite&& rewrite) {
  AlignedText out;
  out.text.reserve(in.text.size());
  out.origin.reserve(in.text.size());
  std::string replacement;
  for (size_t i = 0; i < in.text.size();) {
    const size_t start = i;
    uint32_t cp = 0;
    const bool valid = next_utf8(in.text, i, cp);
    replacement.clear();
    if (valid && rewrite(cp, replacement)) out.append(replacement, in.char_span(start, i - start));
    else out.append_from(in, start, i);
  }
  return out;
}

}  // namespace attnscope::io
