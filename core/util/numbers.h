#pragma once
// Integers as users type them on the command line and in lists.
#include <optional>
#include <string>

namespace attnscope {

// The whole of `text` as an int ("12", "-3"); nullopt when anything is left
// over ("3;2", "4x"), nothing is there, or it does not fit.
std::optional<int> parse_int(const std::string& text);

}  // namespace attnscope
