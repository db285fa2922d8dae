#include "core/runtime/large_block_allocator.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <unordered_map>

#include "core/util/huge_pages.h"

namespace attnscope {
namespace {

constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kLargeBlock = size_t(4) << 20;   // below this, LibTorch's allocator
constexpr size_t kCacheCap = size_t(1) << 30;     // freed bytes kept for reuse at most

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

// A 2 MB-aligned anonymous mapping of `bytes` (a multiple of 2 MB), advised
// for huge pages; nullptr when the kernel refuses.
void* map_huge(size_t bytes) {
  const size_t padded = bytes + kHugePage;
  void* raw = mmap(nullptr, padded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = round_up(start, kHugePage);
  if (aligned > start) munmap(raw, aligned - start);
  const uintptr_t end = aligned + bytes, raw_end = start + padded;
  if (raw_end > end) munmap(reinterpret_cast<void*>(end), raw_end - end);
  advise_huge_pages(reinterpret_cast<void*>(aligned), bytes);  // harmless where THP is off
  return reinterpret_cast<void*>(aligned);
}

class LargeBlockAllocator final : public c10::Allocator {
 public:
  explicit LargeBlockAllocator(c10::Allocator* fallback) : fallback_(fallback) {}

  c10::DataPtr allocate(size_t n) const override {
    if (n < kLargeBlock) return fallback_->allocate(n);
    const size_t bytes = round_up(n, kHugePage);
    void* p = take_cached(bytes);
    if (!p) p = map_huge(bytes);
    if (!p) throw std::bad_alloc();  // ATen turns this into a clear out-of-memory error
    {
      std::lock_guard<std::mutex> lock(mutex_);
      live_[p] = bytes;
    }
    return {p, p, &release, c10::Device(c10::DeviceType::CPU)};
  }

  c10::DeleterFnPtr raw_deleter() const override { return &release; }

  size_t cached_bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return cached_bytes_;
  }

 private:
  static void release(void* p);

  void* take_cached(size_t bytes) const {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = cache_.begin(); it != cache_.end(); ++it)
      if (it->second == bytes) {
        void* p = it->first;
        cached_bytes_ -= bytes;
        cache_.erase(it);
        return p;
      }
    return nullptr;
  }

  // Keeps the freed block for reuse, evicting the oldest past the cap; false
  // when `p` is not one of ours.
  bool give_back(void* p) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = live_.find(p);
    if (it == live_.end()) return false;
    const size_t bytes = it->second;
    live_.erase(it);
    if (bytes > kCacheCap) {
      munmap(p, bytes);
      return true;
    }
    cache_.emplace_back(p, bytes);
    cached_bytes_ += bytes;
    while (cached_bytes_ > kCacheCap) {
      munmap(cache_.front().first, cache_.front().second);
      cached_bytes_ -= cache_.front().second;
      cache_.pop_front();
    }
    return true;
  }

  c10::Allocator* fallback_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<void*, size_t> live_;
  mutable std::deque<std::pair<void*, size_t>> cache_;
  mutable size_t cached_bytes_ = 0;
};

LargeBlockAllocator* installed = nullptr;

void LargeBlockAllocator::release(void* p) {
  if (!p) return;
  if (installed->give_back(p)) return;  // set before any block of ours exists
  // A small block (or raw_deleter used on one): LibTorch's own deleter.
  installed->fallback_->raw_deleter()(p);
}

}  // namespace

void use_large_block_allocator() {
  if (installed) return;
  if (const char* plain = std::getenv("ATTNSCOPE_PLAIN_ALLOCATOR"); plain && *plain == '1') return;
  // Never freed: tensors may outlive main's locals, and the allocator must outlive them.
  installed = new LargeBlockAllocator(c10::GetCPUAllocator());
  c10::SetCPUAllocator(installed, /*priority=*/1);
}

size_t large_blocks_cached_bytes() { return installed ? installed->cached_bytes() : 0; }

}  // namespace attnscope
