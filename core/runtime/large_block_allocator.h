#pragma once
// LibTorch's CPU allocator, replaced for large blocks. Faulting memory in is
// what costs on the virtual machines AttnScope often runs on (here 500 MB
// took 1.7 s to fault in against 28 ms to overwrite once resident), and glibc
// hands every block over 32 MB back to the kernel on free, so each layer's
// [heads, L, L] maps were faulted in afresh: GPT-2-small at L = 1024 ran at
// 0.31 of the matmul rate before, 0.61 after. Blocks of 4 MB and more are
// kept for reuse when freed (up to 1 GB) and asked for as transparent huge
// pages (one fault per 2 MB where the kernel allows). Smaller blocks go to
// LibTorch's own allocator, unchanged.
#include <cstddef>

namespace attnscope {

// Installs the allocator for all CPU tensors. Call once, early in main.
// ATTNSCOPE_PLAIN_ALLOCATOR=1 leaves LibTorch's allocator in place.
void use_large_block_allocator();

// Bytes of freed large blocks currently kept for reuse (for tests and benchmarks).
size_t large_blocks_cached_bytes();

}  // namespace attnscope
