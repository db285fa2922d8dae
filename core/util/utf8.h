#pragma once
// Strict UTF-8 (as Python's decoder and HDF5 readers expect it): no overlong
// forms, no surrogates, nothing past U+10FFFF.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace attnscope::utf8 {

// Byte offset of the first byte that does not start a valid character, if any.
std::optional<size_t> first_invalid(std::string_view text);
// The text with every invalid byte replaced by U+FFFD (for display fields).
std::string sanitized(std::string_view text);

}  // namespace attnscope::utf8
