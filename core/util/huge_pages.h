#pragma once
// Large std::vector buffers faulted in as transparent huge pages. On the
// virtual machines AttnScope often runs on, a fresh buffer costs more in
// page faults than in use: 230-290 MB/s a 4 kB page at a time here, 8-10
// GB/s in 2 MB pages, and one head's map at 8192 tokens is 256 MB. (LibTorch's
// tensors get huge pages from core/runtime/large_block_allocator.h.)
#include <algorithm>
#include <cstddef>
#include <vector>

namespace attnscope {

// Asks the kernel for huge pages over the 2 MB-aligned part of [p, p + bytes)
// when it is large; pages already in are not changed. Harmless where the
// kernel has transparent huge pages off.
void advise_huge_pages(void* p, size_t bytes);

// `n` value-initialised elements whose memory, when large, is advised for
// huge pages before it is first written.
template <typename T>
std::vector<T> huge_page_vector(size_t n) {
  std::vector<T> v;
  v.reserve(n);
  advise_huge_pages(v.data(), n * sizeof(T));
  v.resize(n);
  return v;
}

// v.resize(n), new memory (when v must grow and n is large) advised for
// huge pages before it is first written: for scratch buffers grown in place.
template <typename T>
void resize_in_huge_pages(std::vector<T>& v, size_t n) {
  if (n > v.capacity()) {
    // Doubled, as a vector grows: scratch grown block by block is not copied every block.
    const size_t capacity = std::max(n, 2 * v.capacity());
    std::vector<T> grown;
    grown.reserve(capacity);
    advise_huge_pages(grown.data(), capacity * sizeof(T));
    grown.assign(v.begin(), v.end());
    v.swap(grown);
  }
  v.resize(n);
}

}  // namespace attnscope
