#pragma once
// The Unicode facts tokenizers need, from ICU (Debian's libicu): normal
// forms, full lowercase mappings, and the character classes Rust's char
// methods test (Hugging Face's tokenizers are written in Rust).
#include <cstdint>
#include <string>

#include "core/io/text/aligned_text.h"

namespace attnscope::io {

enum class NormalForm { NFC, NFD, NFKC, NFKD };

// The text in normal form `form`. Each normalised run keeps the origin of the
// run it came from (runs are cut where the form allows: before starters).
AlignedText normalize(const AlignedText& in, NormalForm form);

// Appends the full lowercase mapping of one character (U+0130 -> "i̇"), as
// Rust's char::to_lowercase does, without context.
void append_lowercase(uint32_t codepoint, std::string& out);

bool is_white_space(uint32_t codepoint);     // White_Space (char::is_whitespace)
bool is_alphanumeric(uint32_t codepoint);    // Alphabetic or N* (char::is_alphanumeric)
bool is_nonspacing_mark(uint32_t codepoint);  // Mn
bool is_punctuation(uint32_t codepoint);      // ASCII punctuation or P*
bool is_word_char(uint32_t codepoint);        // \w of Rust's regex: Alphabetic, M*, Nd, Pc, Join_Control

}  // namespace attnscope::io
