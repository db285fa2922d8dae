#include "core/util/huge_pages.h"

#include <sys/mman.h>

#include <cstdint>

namespace attnscope {
namespace {
constexpr uintptr_t kHugePage = uintptr_t(2) << 20;
// Below this, malloc takes the block from its heap, shared with small blocks.
constexpr size_t kAdviseFrom = size_t(4) << 20;
}  // namespace

void advise_huge_pages(void* p, size_t bytes) {
  if (!p || bytes < kAdviseFrom) return;
  const auto start = reinterpret_cast<uintptr_t>(p);
  const uintptr_t first = (start + kHugePage - 1) & ~(kHugePage - 1), last = (start + bytes) & ~(kHugePage - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

}  // namespace attnscope
