// The arithmetic of selective_maps.h, built with -O3 -ffast-math (CMakeLists)
// so the exponentials vectorise. Positions are cut into chunks of kChunk
// (kWideChunk for wide heads) at multiples of it; for rows of chunk
// [a, a + chunk) the split point is p = a - 1. Columns are kept as dt_j B_j[n] e^{A (cum_e - cum_j)} with e
// the last position of their own chunk, and moved to p by one factor
// e^{A (cum_p - cum_e)} per (column chunk, channel, state): both halves <= 1.
// A chunk against itself is cut again into smaller chunks, down to
// kInnerChunk, whose own diagonal blocks are summed directly. Wide heads
// leave out of a far column chunk's product the pairs whose move to p
// underflows (add_split_products), and run their row chunks a thread each.
#include "core/session/selective_maps.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "core/session/blas_threads.h"
#include "core/session/kernel_support.h"
#include "core/util/huge_pages.h"
#include "core/util/parallel.h"
#include "core/util/simd_clones.h"

namespace attnscope::session {
namespace {

constexpr int64_t kChunk = 64;
// Wide heads (many channel-state pairs, their products by BLAS) start from
// chunks of 256: a quarter of the columns moved to split points, and row
// blocks of 256 for the matrix products. A chunk against itself is the same
// problem again in chunks a quarter the size (256, 64, 16), down to
// kInnerChunk, whose direct sums (an exponential per cell and state) are small.
constexpr int64_t kWideChunk = 256;
constexpr int64_t kInnerChunk = 16;

double softplus(double x) { return x > 20 ? x : std::log1p(std::exp(x)); }  // PyTorch's threshold

using kernels::exp_or_zero;
using kernels::thread_scratch;

ATTNSCOPE_SIMD_CLONES
double step_input(const float* input, const float* weight, int64_t R) {
  float sum = 0;
  for (int64_t r = 0; r < R; ++r) sum += input[r] * weight[r];
  return sum;
}

ChannelDecays running_sums(ChannelDecays d) {
  d.cum.resize(d.dt.size());
  const int64_t span = d.end - d.first;
  for (int64_t c = 0; c < d.channels; ++c) {
    double sum = 0;
    for (int64_t p = 0; p < span; ++p) d.cum[p * d.channels + c] = sum += d.dt[p * d.channels + c];
  }
  return d;
}


// The channels [c_begin, c_begin + nc) of a tile, added into `out`.
struct ChannelBlock {
  const float *C, *B;
  int64_t N;
  const ChannelDecays& decays;
  int64_t c_begin, nc;
  std::vector<float> A;  // [nc * N], k = c * N + n
  double weight;         // 1 / channels of the head

  int64_t inner() const { return nc * N; }
  double cum(int64_t p, int64_t c) const { return decays.cum_at(p, c_begin + c); }
  float dt(int64_t p, int64_t c) const { return decays.dt[(p - decays.first) * decays.channels + c_begin + c]; }
};

// Column j as kept: dt_j B_j[n] e^{A (cum_e - cum_j)}, e the last position of j's chunk.
ATTNSCOPE_SIMD_CLONES
void column_at_chunk_end(const ChannelBlock& b, int64_t j, int64_t chunk, float* out) {
  const int64_t e = (j / chunk + 1) * chunk - 1;
  for (int64_t c = 0; c < b.nc; ++c) {
    const float gap = static_cast<float>(b.cum(e, c) - b.cum(j, c)), step = b.dt(j, c);
    const float* a = b.A.data() + c * b.N;
    float* o = out + c * b.N;
    for (int64_t n = 0; n < b.N; ++n) o[n] = step * b.B[j * b.N + n] * exp_or_zero(a[n] * gap);
  }
}

// Row i split at p: C_i[n] e^{A (cum_i - cum_p)} / channels.
ATTNSCOPE_SIMD_CLONES
void row_after(const ChannelBlock& b, int64_t i, int64_t p, float* out) {
  for (int64_t c = 0; c < b.nc; ++c) {
    const float gap = static_cast<float>(b.cum(i, c) - b.cum(p, c));
    const float* a = b.A.data() + c * b.N;
    float* o = out + c * b.N;
    for (int64_t n = 0; n < b.N; ++n) o[n] = static_cast<float>(b.weight) * b.C[i * b.N + n] * exp_or_zero(a[n] * gap);
  }
}

// Row i of a chunk against itself: out[j] += sum_k x_i[k] y_j[k] e^{u_i[k] - u_j[k]}
// for the chunk's positions j < count (one call a row: these rows are short).
ATTNSCOPE_SIMD_CLONES
void chunk_row(const float* xi, const float* ui, const float* y, const float* u, int64_t count, int64_t K, float* out) {
  for (int64_t j = 0; j < count; ++j) {
    const float *yj = y + j * K, *uj = u + j * K;
    float sum = 0;
    for (int64_t k = 0; k < K; ++k) sum += xi[k] * yj[k] * exp_or_zero(ui[k] - uj[k]);
    out[j] += sum;
  }
}

ATTNSCOPE_SIMD_CLONES
void scaled_copy(const float* from, const float* factor, int64_t K, float* to) {
  for (int64_t k = 0; k < K; ++k) to[k] = from[k] * factor[k];
}

// Few (channel, state) pairs (a one-channel head: 16): out[i, j] += sum_k
// left[i, k] right[j, k] by rows, without BLAS, whose threads would contend
// when heads are computed in parallel and whose call costs more than such a product.
constexpr int64_t kOwnProductUpTo = kNarrowSelectiveHead;
ATTNSCOPE_SIMD_CLONES
void add_small_product(const float* left, const float* right, int64_t rows, int64_t cols, int64_t K, float* out,
                       int64_t out_stride) {
  std::vector<float>& transposed = thread_scratch(3, static_cast<size_t>(K * cols));
  for (int64_t j = 0; j < cols; ++j)
    for (int64_t k = 0; k < K; ++k) transposed[k * cols + j] = right[j * K + k];
  for (int64_t i = 0; i < rows; ++i) {
    float* o = out + i * out_stride;
    for (int64_t k = 0; k < K; ++k) {
      const float a = left[i * K + k];
      const float* r = transposed.data() + k * cols;
      for (int64_t j = 0; j < cols; ++j) o[j] += a * r[j];
    }
  }
}

// e^{A (cum_p - cum_e)} of each (channel, state): what moves a column kept at
// position e (its chunk's end) to the split p >= e.
void moved_to_split(const ChannelBlock& b, int64_t p, int64_t e, float* factor) {
  for (int64_t c = 0; c < b.nc; ++c) {
    const float gap = static_cast<float>(b.cum(p, c) - b.cum(e, c));
    for (int64_t n = 0; n < b.N; ++n) factor[c * b.N + n] = exp_or_zero(b.A[c * b.N + n] * gap);
  }
}

// Rows split at p (`left`, nr x K) against columns [c0, c0 + below), all at
// or before p and kept at their chunks' ends (`at_end`), added into `out`
// (row stride `stride`, its first column c0), by BLAS. A column chunk far
// before p moves to it by a factor that is exactly 0 for many (channel,
// state) pairs (A (cum_p - cum_e) < -87: float underflow, exp_or_zero): those
// pairs add 0 to every cell of the chunk and are left out of its product.
// Pairs are put in order of how far back their factor is last non-zero, so
// each column chunk's pairs are a prefix of that order, and neighbouring
// chunks with prefixes of one length (rounded up to kPairsRounding) share one
// product. The cells are the same sums less terms that are 0; with every pair
// reaching the farthest chunk, it is one product as before.
// The moved columns are made a slab of at most kSlabColumns at a time (4 MB
// a thread with 1024 pairs), each slab one product: row chunks on several
// threads each hold one slab, not all of a long prompt's columns.
constexpr int64_t kPairsRounding = 32;
constexpr int64_t kSlabColumns = 1024;
void add_split_products(const ChannelBlock& b, int64_t p, const float* left, int64_t nr, const float* at_end,
                        int64_t c0, int64_t below, int64_t chunk, std::vector<float>& moved_slab, float* out,
                        int64_t stride) {
  const int64_t K = b.inner(), q0 = c0 / chunk, chunks = (c0 + below - 1) / chunk - q0 + 1;
  thread_local std::vector<float> factors, left_ordered;
  thread_local std::vector<int64_t> reach, order, pairs;
  factors.resize(static_cast<size_t>(chunks * K));
  reach.assign(static_cast<size_t>(K), 0);  // chunks, counted back from the nearest, up to the farthest non-zero factor
  for (int64_t q = chunks - 1; q >= 0; --q) {
    float* f = factors.data() + q * K;
    moved_to_split(b, p, (q0 + q + 1) * chunk - 1, f);
    for (int64_t k = 0; k < K; ++k)
      if (f[k] != 0.f) reach[k] = chunks - q;
  }
  order.resize(static_cast<size_t>(K));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t x, int64_t y) { return reach[x] > reach[y]; });
  // Column chunk q's pairs: those reaching it, rounded up (the extra ones' factors there are 0).
  pairs.resize(static_cast<size_t>(chunks));
  for (int64_t q = 0, live = 0; q < chunks; ++q) {
    while (live < K && reach[order[live]] >= chunks - q) ++live;
    pairs[q] = std::min(K, (live + kPairsRounding - 1) / kPairsRounding * kPairsRounding);
  }
  const bool every_pair = pairs[0] == K;
  const float* rows = left;
  if (!every_pair) {  // the rows' factors in that order, as far as the nearest chunk needs
    left_ordered.resize(static_cast<size_t>(nr * K));
    for (int64_t i = 0; i < nr; ++i)
      for (int64_t t = 0; t < pairs[chunks - 1]; ++t) left_ordered[i * K + t] = left[i * K + order[t]];
    rows = left_ordered.data();
  }
  // The buffers by pointer: a lambda on another thread names that thread's thread_locals.
  const float* chunk_factors = factors.data();
  const int64_t *by_reach = order.data(), *chunk_pairs = pairs.data();
  resize_in_huge_pages(moved_slab, static_cast<size_t>(std::min(below, kSlabColumns) * K));
  float* moved = moved_slab.data();
  for (int64_t q = 0; q < chunks;) {
    // A run of whole chunks with one prefix length, at most kSlabColumns
    // columns (a chunk is fewer): columns [j_begin, j_end) of the tile.
    const int64_t j_begin = std::max(c0, (q0 + q) * chunk) - c0;
    int64_t q_end = q + 1;
    while (q_end < chunks && pairs[q_end] == pairs[q] && (q0 + q_end + 1) * chunk - c0 - j_begin <= kSlabColumns) ++q_end;
    const int64_t j_end = std::min(c0 + below, (q0 + q_end) * chunk) - c0, run_pairs = pairs[q];
    q = q_end;
    if (run_pairs == 0) continue;  // no pair reaches these columns: their cells add 0
    parallel_for(j_end - j_begin, 64, [&](int64_t begin, int64_t end) {
      for (int64_t j = j_begin + begin; j < j_begin + end; ++j) {
        const int64_t cq = (c0 + j) / chunk - q0;
        const float *from = at_end + j * K, *f = chunk_factors + cq * K;
        float* to = moved + (j - j_begin) * K;
        if (every_pair) scaled_copy(from, f, K, to);
        else
          for (int64_t t = 0; t < chunk_pairs[cq]; ++t) to[t] = from[by_reach[t]] * f[by_reach[t]];
      }
    });
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(nr), static_cast<int>(j_end - j_begin),
                static_cast<int>(run_pairs), 1.f, rows, static_cast<int>(K), moved, static_cast<int>(K), 1.f,
                out + j_begin, static_cast<int>(stride));
  }
}

// Columns [c0, c0 + count) kept at their chunk's end into `out` [count x K].
void columns_at_chunk_end(const ChannelBlock& b, int64_t c0, int64_t count, int64_t chunk, float* out) {
  const int64_t K = b.inner();
  parallel_for(count, 64, [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j) column_at_chunk_end(b, c0 + j, chunk, out + j * K);
  });
}

// The tile's columns that later chunks' rows see, [c0, kept_end): from `reuse`
// when it holds them (the same decays, channels, chunks and first column;
// a column does not depend on the rows), extended when it holds fewer (a
// whole map's bands reach further as they go down), else computed (into
// `reuse`, for every column of the tile whose chunk the decays cover whole:
// a column is kept at its chunk's end, which must be a known position).
const float* kept_columns(const ChannelBlock& b, int64_t c0, int64_t c_end, int64_t kept_end, int64_t chunk,
                          std::vector<float>& scratch, SelectiveColumns* reuse) {
  const int64_t K = b.inner();
  if (!reuse) {
    resize_in_huge_pages(scratch, static_cast<size_t>((kept_end - c0) * K));
    columns_at_chunk_end(b, c0, kept_end - c0, chunk, scratch.data());
    return scratch.data();
  }
  const bool same = reuse->decays == &b.decays && reuse->first_channel == b.c_begin && reuse->chunk == chunk &&
                    reuse->first == c0 && reuse->at_chunk_end.size() == static_cast<size_t>((reuse->end - c0) * K);
  if (!same) {
    reuse->decays = &b.decays, reuse->first_channel = b.c_begin, reuse->chunk = chunk;
    reuse->first = reuse->end = c0;
    reuse->at_chunk_end.clear();
  }
  if (reuse->end < kept_end) {
    const int64_t from = reuse->end, to = std::max(kept_end, std::min(c_end, b.decays.end / chunk * chunk));
    resize_in_huge_pages(reuse->at_chunk_end, static_cast<size_t>((to - c0) * K));
    columns_at_chunk_end(b, from, to - from, chunk, reuse->at_chunk_end.data() + (from - c0) * K);
    reuse->end = to;
  }
  return reuse->at_chunk_end.data();
}

// Into out[(i - r0) * stride + (j - c0)], in chunks of `chunk` positions;
// `level` picks this call's scratch buffers (each inner chunking has its own:
// kernels::kSelectiveLevels of them).
void add_channel_block(const ChannelBlock& b, int64_t r0, int64_t c0, int64_t rows, int64_t cols, float* out,
                       int64_t stride, int64_t chunk, int level = 0, SelectiveColumns* reuse = nullptr) {
  const int64_t hi = r0 + rows, c_end = c0 + cols, K = b.inner();
  const int slot = 5 * level;
  // Columns that some later chunk's rows see through a split: those before the last row chunk.
  const int64_t last_chunk = (hi - 1) / chunk * chunk;
  const int64_t kept_end = std::max(c0, std::min(c_end, last_chunk));
  const float* at_end = kept_columns(b, c0, c_end, kept_end, chunk, thread_scratch(slot, 0), level == 0 ? reuse : nullptr);
  // A chunk of rows at a time; the chunks write disjoint rows.
  const auto row_chunk = [&](int64_t a) {
    const int64_t i0 = std::max(a, r0), i1 = std::min(a + chunk, hi), nr = i1 - i0;
    const int64_t below = std::clamp<int64_t>(std::min(c_end, a) - c0, 0, cols);  // columns j < a
    if (below > 0) {
      const int64_t p = a - 1;
      std::vector<float>& left = thread_scratch(slot + 2, static_cast<size_t>(nr * K));
      for (int64_t i = i0; i < i1; ++i) row_after(b, i, p, left.data() + (i - i0) * K);
      if (K > kOwnProductUpTo) {
        add_split_products(b, p, left.data(), nr, at_end, c0, below, chunk, thread_scratch(slot + 1, 0),
                           out + (i0 - r0) * stride, stride);
      } else {
        std::vector<float>& moved = thread_scratch(slot + 1, static_cast<size_t>(below * K));
        parallel_for(below, 64, [&](int64_t begin, int64_t end) {
          std::vector<float> factor(static_cast<size_t>(K));
          int64_t factor_chunk = -1;
          for (int64_t j = begin; j < end; ++j) {
            const int64_t column_chunk = (c0 + j) / chunk;
            if (column_chunk != factor_chunk) {
              moved_to_split(b, p, (column_chunk + 1) * chunk - 1, factor.data());
              factor_chunk = column_chunk;
            }
            scaled_copy(at_end + j * K, factor.data(), K, moved.data() + j * K);
          }
        });
        add_small_product(left.data(), moved.data(), nr, below, K, out + (i0 - r0) * stride, stride);
      }
    }
    // The chunk against itself: in smaller chunks while it is large, then
    // directly, exponents A cum relative to the chunk's start (small enough for float).
    const int64_t j0 = std::max(a, c0), j1 = std::min(i1, c_end);
    if (j0 >= j1) return;
    if (chunk > kInnerChunk && K > kOwnProductUpTo) {  // narrow heads: the smaller calls cost more than they save
      add_channel_block(b, i0, j0, nr, j1 - j0, out + (i0 - r0) * stride + (j0 - c0), stride,
                        std::max(kInnerChunk, chunk / 4), level + 1);
      return;
    }
    const int64_t span = i1 - j0;  // positions j0 .. i1 - 1
    std::vector<float>& exponent = thread_scratch(slot + 4, static_cast<size_t>(3 * span * K));
    float *u = exponent.data(), *x = u + span * K, *y = x + span * K;
    for (int64_t q = j0; q < i1; ++q)
      for (int64_t c = 0; c < b.nc; ++c) {
        const float rel = static_cast<float>(b.cum(q, c) - b.cum(j0, c)), step = b.dt(q, c);
        for (int64_t n = 0; n < b.N; ++n) {
          const int64_t k = (q - j0) * K + c * b.N + n;
          u[k] = b.A[c * b.N + n] * rel;
          x[k] = static_cast<float>(b.weight) * b.C[q * b.N + n];
          y[k] = step * b.B[q * b.N + n];
        }
      }
    const int64_t first_row = std::max(i0, j0);  // rows before the tile's first column have no cell here
    parallel_for(i1 - first_row, 8, [&](int64_t begin, int64_t end) {
      for (int64_t i = first_row + begin; i < first_row + end; ++i) {
        float* row = out + (i - r0) * stride - c0;
        chunk_row(x + (i - j0) * K, u + (i - j0) * K, y, u, std::min(i, j1 - 1) - j0 + 1, K, row + j0);
      }
    });
  };
  const int64_t first_chunk = r0 / chunk * chunk, chunks = (hi - first_chunk + chunk - 1) / chunk;
  if (level == 0 && K > kOwnProductUpTo && chunks >= machine_cores()) {
    // Wide heads' chunks a thread each, their products by BLAS on that thread,
    // the costliest (latest: most columns below them) first.
    const BlasOnCallingThread blas_on_chunks_threads;
    parallel_for(chunks, 1, [&](int64_t begin, int64_t end) {
      for (int64_t k = begin; k < end; ++k) row_chunk(first_chunk + (chunks - 1 - k) * chunk);
    });
    return;
  }
  for (int64_t a = first_chunk; a < hi; a += chunk) row_chunk(a);
}

}  // namespace

ChannelDecays channel_decays(const MapFactors& f, int head, int64_t first, int64_t end) {
  if (f.form != FactorForm::Selective) throw std::invalid_argument("channel decays of factors that are not selective");
  if (head < 0 || head >= f.heads) throw std::out_of_range("no head " + std::to_string(head));
  if (first < 0 || end > f.length || first > end) throw std::out_of_range("positions outside the map");
  ChannelDecays d;
  d.first = first, d.end = end;
  d.first_channel = static_cast<int64_t>(head) * f.channels_per_head, d.channels = f.channels_per_head;
  const int64_t span = end - first, R = f.dt_rank;
  d.dt.resize(static_cast<size_t>(span * d.channels));
  if (span == 0) return d;
  // dt_input [L, R] . dt_weight[channels]^T + bias, then softplus (a head's
  // channels are few: own loops, so heads can be computed in parallel).
  parallel_for(span, 256, [&](int64_t begin, int64_t end) {
    for (int64_t p = begin; p < end; ++p)
      for (int64_t c = 0; c < d.channels; ++c)
        d.dt[p * d.channels + c] = static_cast<float>(
            softplus(step_input(f.dt_input.data() + (first + p) * R, f.dt_weight.data() + (d.first_channel + c) * R, R) +
                     f.dt_bias[d.first_channel + c]));
  });
  return running_sums(std::move(d));
}

ChannelDecays channel_decays(const float* dt, int64_t all_channels, int64_t first_channel, int64_t channels,
                             int64_t first, int64_t end) {
  ChannelDecays d;
  d.first = first, d.end = end, d.first_channel = first_channel, d.channels = channels;
  d.dt.resize(static_cast<size_t>((end - first) * channels));
  for (int64_t p = first; p < end; ++p)
    std::copy_n(dt + p * all_channels + first_channel, channels, d.dt.data() + (p - first) * channels);
  return running_sums(std::move(d));
}

void selective_tile(const float* C, const float* B, const float* A, int64_t N, const ChannelDecays& decays, int64_t r0,
                    int64_t c0, int64_t rows, int64_t cols, float* out, SelectiveColumns* columns) {
  std::fill(out, out + rows * cols, 0.f);
  if (rows <= 0 || cols <= 0 || c0 >= r0 + rows || decays.channels <= 0) return;
  if (decays.first > c0 || decays.end < r0 + rows) throw std::out_of_range("channel decays do not cover the tile");
  const int64_t per_block = std::max<int64_t>(1, kSelectiveColumnBlock / std::max<int64_t>(1, N));
  // SelectiveColumns holds one block of channels: heads of several would only evict each other's.
  if (decays.channels > per_block) columns = nullptr;
  for (int64_t c = 0; c < decays.channels; c += per_block) {
    ChannelBlock b{C, B, N, decays, c, std::min(per_block, decays.channels - c), {}, 1.0 / decays.channels};
    b.A.assign(A + (decays.first_channel + c) * N, A + (decays.first_channel + c + b.nc) * N);
    add_channel_block(b, r0, c0, rows, cols, out, cols, b.inner() > kOwnProductUpTo ? kWideChunk : kChunk, 0, columns);
  }
}

}  // namespace attnscope::session
