#include "core/io/text/flat_maps.h"

#include <algorithm>

namespace attnscope::io {
namespace {

constexpr uint64_t kEmptyKey = ~uint64_t(0);

// 64-bit FNV-1a, folded: quick on the short strings tokens are.
uint64_t hash_bytes(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h ^ (h >> 29);
}

uint64_t mix(uint64_t k) {  // splitmix64's finaliser
  k ^= k >> 30;
  k *= 0xbf58476d1ce4e5b9ull;
  k ^= k >> 27;
  k *= 0x94d049bb133111ebull;
  return k ^ (k >> 31);
}

size_t capacity_for(size_t count) {
  size_t c = 16;
  while (c < count * 2) c *= 2;  // at most half full
  return c;
}

}  // namespace

void SpellingIndex::reserve(size_t count) {
  if (capacity_for(count) <= slots_.size()) return;
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity_for(count), Slot{});
  size_ = 0;
  for (const Slot& s : old)
    if (s.id >= 0) insert(s.spelling, s.id);
}

void SpellingIndex::insert(std::string_view spelling, int32_t id) {
  if ((size_ + 1) * 2 > slots_.size()) reserve(std::max<size_t>(size_ + 1, slots_.size()));
  const uint64_t h = hash_bytes(spelling);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    Slot& s = slots_[i];
    if (s.id < 0) {
      s = {static_cast<uint32_t>(h >> 32), id, spelling};
      ++size_;
      return;
    }
    if (s.hash == static_cast<uint32_t>(h >> 32) && s.spelling == spelling) return;
  }
}

int32_t SpellingIndex::find(std::string_view spelling) const {
  if (slots_.empty()) return -1;
  const uint64_t h = hash_bytes(spelling);
  const size_t mask = slots_.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.id < 0) return -1;
    if (s.hash == static_cast<uint32_t>(h >> 32) && s.spelling == spelling) return s.id;
  }
}

void U64Map::reserve(size_t count) {
  if (capacity_for(count) <= keys_.size()) return;
  std::vector<uint64_t> old_keys = std::move(keys_), old_values = std::move(values_);
  keys_.assign(capacity_for(count), kEmptyKey);
  values_.assign(keys_.size(), 0);
  size_ = 0;
  for (size_t i = 0; i < old_keys.size(); ++i)
    if (old_keys[i] != kEmptyKey) set(old_keys[i], old_values[i]);
}

void U64Map::set(uint64_t key, uint64_t value) {
  if ((size_ + 1) * 2 > keys_.size()) reserve(std::max<size_t>(size_ + 1, keys_.size()));
  const size_t mask = keys_.size() - 1;
  for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
    if (keys_[i] == kEmptyKey) {
      keys_[i] = key, values_[i] = value, ++size_;
      return;
    }
    if (keys_[i] == key) {
      values_[i] = value;
      return;
    }
  }
}

const uint64_t* U64Map::find(uint64_t key) const {
  if (keys_.empty()) return nullptr;
  const size_t mask = keys_.size() - 1;
  for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
    if (keys_[i] == key) return &values_[i];
    if (keys_[i] == kEmptyKey) return nullptr;
  }
}

}  // namespace attnscope::io
