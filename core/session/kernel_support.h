#pragma once
// What the map kernels share (map_factors_kernels.cpp, selective_kernels.cpp;
// both built with -O3 -ffast-math): an exponential that never takes glibc's
// slow path, and per-thread buffers reused from call to call.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace attnscope::session::kernels {

// e^x for x <= 0, and exactly 0 where float would underflow: glibc's vector
// exp takes a slow scalar path for such arguments, and the rows of long or
// sharp maps are mostly those.
inline float exp_or_zero(float x) {
  const float e = std::exp(std::max(x, -87.f));
  return x < -87.f ? 0.f : e;
}

// One row of causal scores s[0, seen) made exponentials in place: its max
// and log sum into lse[0..1], sum_j p_j log p_j into *p_log_p when given,
// and columns [c0, c0 + cols) of the normalised row into `out` when given
// (zero from `seen` on). Used by the factor kernels and by the forward's own
// softmax where a session watches its rows (mixing/softmax_block_summary.h).
void softmax_row(float* s, int64_t seen, float* lse, double* p_log_p, float* out, int64_t c0, int64_t cols);

// This thread's buffer `slot`, resized to n: fresh memory costs its page
// faults on every call. Callers bind it to a named reference, which their
// row lambdas capture (the buffer named inside a worker would be the
// worker's own). Slots below kScoresSlot: the selective kernel (5 a level of chunking);
// kScoresSlot: a block of softmax scores or SSD dot products; kRasterBandSlot:
// the band of cells a raster pools (map_raster.cpp, not a kernel itself).
inline constexpr int kSelectiveLevels = 3;  // chunks of 256, 64 and 16 positions
inline constexpr int kScoresSlot = 5 * kSelectiveLevels;
inline constexpr int kRasterBandSlot = kScoresSlot + 1;  // map_raster.cpp: a band of cells
std::vector<float>& thread_scratch(int slot, size_t n);

}  // namespace attnscope::session::kernels
