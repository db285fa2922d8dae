#pragma once
// Mamba-1 (selective scan) maps, chunked. Channel d's map is
//   M_d[i, j] = sum_n C_i[n] exp(A[d, n] (cum_d,i - cum_d,j)) dt_d,j B_j[n]   for j <= i, 0 above,
// cum_d the running sum of dt_d; a head is the mean over its channels. The
// decay depends on the state index n, so the map is no rank-N product of
// per-token vectors as a whole; but split at any position p between j and i
// both halves of the exponent are <= 0:
//   M_d[i, j] = sum_n [C_i[n] e^{A (cum_i - cum_p)}] [dt_j B_j[n] e^{A (cum_p - cum_j)}],
// so rows of one chunk of positions against every earlier column are one
// matrix product over (channel, state), and a chunk against itself is summed
// directly. Nothing of size channels x L x L is ever formed, no exponent is
// positive (no overflow; a factor that underflows belongs to a product that
// small), and the cost is that of the products: at most L^2 / 2 x channels
// x N multiply-adds per layer instead of as many exponentials. Pairs whose
// decay from a far chunk underflows add 0 there and are left out of it.
#include <cstdint>
#include <vector>

#include "core/session/map_factors.h"

namespace attnscope::session {

// The step sizes of channels [first_channel, first_channel + channels) over
// positions [first, end), and their running sums from `first` (float64).
struct ChannelDecays {
  int64_t first = 0, end = 0;
  int64_t first_channel = 0, channels = 0;
  std::vector<float> dt;    // [end - first, channels]
  std::vector<double> cum;  // [end - first, channels]: dt summed from `first` through each position
  double cum_at(int64_t position, int64_t channel) const { return cum[(position - first) * channels + channel]; }
};

// Of head `head` of selective factors: dt = softplus(dt_input . dt_weight^T + dt_bias), as the layer computes it.
ChannelDecays channel_decays(const MapFactors& f, int head, int64_t first, int64_t end);
// From dt itself, `dt` [L, all_channels] row-major (the forward pass's own).
ChannelDecays channel_decays(const float* dt, int64_t all_channels, int64_t first_channel, int64_t channels,
                             int64_t first, int64_t end);

// Channels are taken this many (channel, state) pairs at a time: the
// kernel's columns kept at their chunks' ends are at most L x this many
// floats (32 MB at L = 8192), and each thread moves them to a split a slab
// of 1024 columns at a time (4 MB).
inline constexpr int64_t kSelectiveColumnBlock = 1024;

// Heads of at most this many (channel, state) pairs take their products in
// the kernel's own loops (no BLAS call), so several can run at once.
inline constexpr int64_t kNarrowSelectiveHead = 64;

// A tile's columns as the kernel keeps them (each at the end of its chunk:
// selective_kernels.cpp) do not depend on its rows. A caller computing one
// region band by band (the window's raster) hands every band the same
// SelectiveColumns, and the columns are computed for the first band only:
// for a quarter of an 8k map of 48-channel heads, 12.6 million exponentials
// become 1.6 million. A later band that reaches further (a whole map's) adds
// only its new columns. It holds columns for one decays object (which must
// outlive it), one block of channels and one first column.
struct SelectiveColumns {
  const ChannelDecays* decays = nullptr;
  int64_t first_channel = -1, chunk = 0, first = 0, end = 0;  // columns [first, end)
  std::vector<float> at_chunk_end;                              // [end - first, channels x N]
};

// Rows [r0, r0 + rows) x columns [c0, c0 + cols) of the mean over the
// decays' channels of M_d, row-major into `out`. C and B are [L, N], A
// [all channels, N] (negative); `decays` must cover positions [c0, r0 + rows)
// when c0 < r0 + rows (the tile is zero otherwise).
void selective_tile(const float* C, const float* B, const float* A, int64_t N, const ChannelDecays& decays, int64_t r0,
                    int64_t c0, int64_t rows, int64_t cols, float* out, SelectiveColumns* columns = nullptr);

}  // namespace attnscope::session
