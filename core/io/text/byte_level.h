#pragma once
// GPT-2's byte-to-unicode table: byte-level BPE vocabularies spell every byte
// as a printable character (space becomes 'Ġ', newline 'Ċ', ...).
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/io/text/utf8.h"

namespace attnscope::io {

class ByteLevel {
 public:
  static const ByteLevel& instance();
  // Raw bytes -> the vocabulary's spelling (UTF-8 of the mapped characters).
  std::string encode(std::string_view bytes) const;
  // The vocabulary's spelling -> raw bytes; false when a character is not in the table.
  bool decode(std::string_view spelled, std::string& bytes) const;
  const std::string& spell(uint8_t byte) const { return spelling_[byte]; }

 private:
  ByteLevel();
  std::array<std::string, 256> spelling_;
  std::unordered_map<uint32_t, uint8_t> byte_of_codepoint_;
};


}  // namespace attnscope::io
