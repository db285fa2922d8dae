#include "core/util/huge_pages.h"

#include <sys/mman.h>

#include <cstdint>

namespace attnscope {
namespace {
constexpr uintptr_t kHugePage = uintptr_t(2) << 20;
// Smaller blocks are left alone. Blocks up to 32 MB may come from malloc's
// heap once its mmap threshold has risen; advising a heap region lets the
// kernel back later small blocks there with huge pages too, a little more
// memory for fewer faults.
constexpr size_t kAdviseFrom = size_t(4) << 20;
}  // namespace

void advise_huge_pages(void* p, size_t bytes) {
  if (!p || bytes < kAdviseFrom) return;
  const auto start = reinterpret_cast<uintptr_t>(p);
  const uintptr_t first = (start + kHugePage - 1) & ~(kHugePage - 1), last = (start + bytes) & ~(kHugePage - 1);
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

}  // namespace attnscope
