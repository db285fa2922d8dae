#include "core/io/byte_level.h"

namespace attnscope::io {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool next_utf8(std::string_view s, size_t& i, uint32_t& cp) {
  const auto b0 = static_cast<uint8_t>(s[i]);
  int extra = 0;
  if (b0 < 0x80) cp = b0, extra = 0;
  else if ((b0 & 0xE0) == 0xC0) cp = b0 & 0x1F, extra = 1;
  else if ((b0 & 0xF0) == 0xE0) cp = b0 & 0x0F, extra = 2;
  else if ((b0 & 0xF8) == 0xF0) cp = b0 & 0x07, extra = 3;
  else return false;
  if (i + extra >= s.size()) return false;
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<uint8_t>(s[i + k]);
    if ((b & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (b & 0x3F);
  }
  i += 1 + extra;
  return true;
}

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
