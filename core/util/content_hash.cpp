#include "core/util/content_hash.h"

#include <cstdio>
#include <cstring>

namespace attnscope {
namespace {
constexpr uint64_t kPrime = 0x100000001b3ull;
// A final mix, so that nearby inputs spread over all 64 bits.
uint64_t mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}
}  // namespace

void ContentHash::add(const void* data, size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  size_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    h_ = mix((h_ ^ word) * kPrime);
  }
  for (; i < bytes; ++i) h_ = (h_ ^ p[i]) * kPrime;
}

void ContentHash::add(std::string_view text) {
  add(static_cast<uint64_t>(text.size()));
  add(text.data(), text.size());
}

void ContentHash::add(uint64_t value) { add(&value, sizeof value); }

std::string ContentHash::hex() const {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(mix(h_)));
  return buf;
}

}  // namespace attnscope
