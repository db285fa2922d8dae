#pragma once
// A 64-bit hash of bytes, to tell contents apart (checkpoints, a scan's
// condition list), never for security. Eight bytes per step, so a
// multi-GB checkpoint hashes at memory speed.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace attnscope {

class ContentHash {
 public:
  void add(const void* data, size_t bytes);
  // With its length, so ("ab", "c") and ("a", "bc") differ.
  void add(std::string_view text);
  void add(uint64_t value);
  std::string hex() const;  // 16 hex digits

 private:
  uint64_t h_ = 0xcbf29ce484222325ull;
};

}  // namespace attnscope
