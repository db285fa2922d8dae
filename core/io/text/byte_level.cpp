#include "core/io/text/byte_level.h"

namespace attnscope::io {

ByteLevel::ByteLevel() {
  // Printable Latin-1 bytes spell themselves; the rest take code points 256+.
  uint32_t next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    const uint32_t cp = printable ? static_cast<uint32_t>(b) : next++;
    append_utf8(spelling_[b], cp);
    byte_of_codepoint_[cp] = static_cast<uint8_t>(b);
  }
}

const ByteLevel& ByteLevel::instance() {
  static const ByteLevel table;
  return table;
}

std::string ByteLevel::encode(std::string_view bytes) const {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) out += spelling_[static_cast<uint8_t>(c)];
  return out;
}

bool ByteLevel::decode(std::string_view spelled, std::string& bytes) const {
  size_t i = 0;
  while (i < spelled.size()) {
    uint32_t cp = 0;
    if (!next_utf8(spelled, i, cp)) return false;
    auto it = byte_of_codepoint_.find(cp);
    if (it == byte_of_codepoint_.end()) return false;
    bytes += static_cast<char>(it->second);
  }
  return true;
}

}  // namespace attnscope::io
