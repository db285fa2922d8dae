#pragma once
// UTF-8 one character at a time, strictly (no overlong forms, surrogates or
// code points past U+10FFFF), as Rust's str, and so Hugging Face's
// tokenizers, read it.
#include <cstdint>
#include <string>
#include <string_view>

namespace attnscope::io {

// Decodes the character at `i` and advances past it; on invalid input returns
// false and advances by one byte.
bool next_utf8(std::string_view s, size_t& i, uint32_t& codepoint);
void append_utf8(std::string& out, uint32_t codepoint);
// Byte length of the character starting with byte `lead` (1 for invalid leads).
size_t utf8_length(uint8_t lead);

}  // namespace attnscope::io
