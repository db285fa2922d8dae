#include "core/util/numbers.h"

#include <stdexcept>

namespace attnscope {

std::optional<int> parse_int(const std::string& text) {
  try {
    size_t used = 0;
    const int v = std::stoi(text, &used);
    if (used == text.size()) return v;
  } catch (const std::exception&) {  // invalid_argument, out_of_range
  }
  return std::nullopt;
}

}  // namespace attnscope
