// The arithmetic of map_factors.h, built with -O3 -ffast-math (CMakeLists):
// the exponentials of a long prompt's maps are most of their cost, and only
// that lets the compiler call glibc's vector exp. Nothing here tests for NaN
// or infinity (sizes and scale are checked where the factors are read).
#include "core/session/map_factors.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <functional>

#include "core/session/kernel_support.h"
#include "core/session/selective_maps.h"
#include "core/util/parallel.h"
#include "core/util/simd_clones.h"
#include "core/util/huge_pages.h"

namespace attnscope::session {
namespace {

// Rows are computed this many at a time: the scores of a block are at most
// kRowBlock x L floats (32 MB at L = 8192).
constexpr int64_t kRowBlock = 1024;

void parallel_rows(int64_t n, const std::function<void(int64_t, int64_t)>& body) { parallel_for(n, 32, body); }

using kernels::exp_or_zero;

// A block's scores or dot products (kernels::thread_scratch).
std::vector<float>& block_scratch(size_t n) { return kernels::thread_scratch(kernels::kScoresSlot, n); }

// scores[r, j] = alpha * a_r . b_j for rows [r0, r0 + rows) of `a` and keys [c0, c0 + cols) of `b`.
void dot_block(const float* a, const float* b, int64_t dim, int64_t r0, int64_t rows, int64_t c0, int64_t cols,
               double alpha, float* scores) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows), static_cast<int>(cols),
              static_cast<int>(dim), static_cast<float>(alpha), a + r0 * dim, static_cast<int>(dim), b + c0 * dim,
              static_cast<int>(dim), 0.f, scores, static_cast<int>(cols));
}

void check_rect(const MapFactors& f, int head, int64_t r0, int64_t c0, int64_t rows, int64_t cols) {
  if (head < 0 || head >= f.heads) throw std::out_of_range("no head " + std::to_string(head));
  if (r0 < 0 || c0 < 0 || rows < 0 || cols < 0 || r0 + rows > f.length || c0 + cols > f.length)
    throw std::out_of_range("tile outside the " + std::to_string(f.length) + "-token map");
}

const float* left_of(const MapFactors& f, int head) {
  const int64_t slot = f.form == FactorForm::Softmax ? head : f.group_of(head);
  return f.left.data() + slot * f.length * f.dim;
}
const float* right_of(const MapFactors& f, int head) { return f.right.data() + f.group_of(head) * f.length * f.dim; }

// One pass over the causal scores of rows [r0, r0 + rows): each row's log
// normalisers into `lse` (max and log sum, as row_log_normalisers) and, when `out` is given, columns [c0, c0 + cols) of
// the map (the scores are computed once for both).
// With `p_log_p`, also each row's sum_j p_ij log p_ij = sum_j p_ij (s_ij - m_i) - log sum_j e_ij.
void softmax_rows(const MapFactors& f, int head, int64_t r0, int64_t rows, float* lse, int64_t c0 = 0, int64_t cols = 0,
                  float* out = nullptr, double* p_log_p = nullptr) {
  const float *q = left_of(f, head), *k = right_of(f, head);
  for (int64_t b0 = r0; b0 < r0 + rows; b0 += kRowBlock) {
    const int64_t n = std::min(kRowBlock, r0 + rows - b0), keys = b0 + n;  // causal: keys up to the block's last row
    std::vector<float>& scores = block_scratch(static_cast<size_t>(n * keys));
    dot_block(q, k, f.dim, b0, n, 0, keys, f.scale, scores.data());
    parallel_rows(n, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t i = b0 + r;
        kernels::softmax_row(scores.data() + r * keys, i + 1, lse + 2 * (i - r0), p_log_p ? p_log_p + (i - r0) : nullptr,
                    out ? out + (i - r0) * cols : nullptr, c0, cols);
      }
    });
  }
}

// Columns of one row from scores s[0, cols) and the row's normalisers; zero from `seen` on (keys after the query).
ATTNSCOPE_SIMD_CLONES
void normalised_row(const float* s, int64_t seen, int64_t cols, float m, float log_sum, float* out) {
  for (int64_t c = 0; c < seen; ++c) out[c] = exp_or_zero((s[c] - m) - log_sum);
  std::fill(out + seen, out + cols, 0.f);
}

// A decay below e^-300 makes a cell 0 in float whatever its dot and weight
// (a float times a float stays below 1e77). glibc's vector exp takes a scalar
// path for arguments below about -708, which long prompts' rows are mostly
// made of (a mamba2-130m session at 8192 tokens took 4.0 x its forward, 2.7 x
// after): such arguments are clamped first and their cells set to 0.
constexpr double kVanishingDecay = -300;

// Columns of one SSD row: dot * exp(cum_i - cum_j) * w_j, the decay in float64; zero from `seen` on.
ATTNSCOPE_SIMD_CLONES
void ssd_row(const float* dots, const double* cum, const float* w, double cum_i, int64_t seen, int64_t cols, float* out) {
  for (int64_t c = 0; c < seen; ++c) {
    const double gap = cum_i - cum[c];
    const double decay = std::exp(std::max(gap, kVanishingDecay));
    out[c] = gap < kVanishingDecay ? 0.f : static_cast<float>(dots[c] * decay * w[c]);
  }
  std::fill(out + seen, out + cols, 0.f);
}

void softmax_tile(const MapFactors& f, int head, int64_t r0, int64_t c0, int64_t rows, int64_t cols, float* out,
                  const float* normalisers) {
  std::vector<float>& scores = block_scratch(static_cast<size_t>(std::min(kRowBlock, rows) * cols));
  for (int64_t b0 = r0; b0 < r0 + rows; b0 += kRowBlock) {
    const int64_t n = std::min(kRowBlock, r0 + rows - b0);
    dot_block(left_of(f, head), right_of(f, head), f.dim, b0, n, c0, cols, f.scale, scores.data());
    parallel_rows(n, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t i = b0 + r;
        normalised_row(scores.data() + r * cols, std::clamp<int64_t>(i + 1 - c0, 0, cols), cols,
                       normalisers[2 * (i - r0)], normalisers[2 * (i - r0) + 1], out + (i - r0) * cols);
      }
    });
  }
}

void ssd_tile(const MapFactors& f, int head, int64_t r0, int64_t c0, int64_t rows, int64_t cols, float* out) {
  std::vector<float>& dots = block_scratch(static_cast<size_t>(std::min(kRowBlock, rows) * cols));
  const double* cum = f.log_decay_cumsum.data() + head * f.length;
  const float* w = f.weight.data() + head * f.length;
  for (int64_t b0 = r0; b0 < r0 + rows; b0 += kRowBlock) {
    const int64_t n = std::min(kRowBlock, r0 + rows - b0);
    // Only the block's live columns take a product: those after the ones
    // whose decay from every row of the block is below e^-300 (0 in every
    // row; most of a long prompt's map), up to the block's last row (the
    // future is 0). The scan asks nothing of the decays' order.
    const double highest = *std::max_element(cum + b0, cum + b0 + n);
    int64_t first = 0;
    while (first < cols && highest - cum[c0 + first] < kVanishingDecay) ++first;
    const int64_t live = std::clamp<int64_t>(b0 + n - c0, first, cols) - first;
    if (live > 0) dot_block(left_of(f, head), right_of(f, head), f.dim, b0, n, c0 + first, live, 1.0, dots.data());
    parallel_rows(n, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t i = b0 + r;
        float* row = out + (i - r0) * cols;
        std::fill(row, row + first, 0.f);
        ssd_row(dots.data() + r * live, cum + c0 + first, w + c0 + first, cum[i],
                std::clamp<int64_t>(i + 1 - c0 - first, 0, live), cols - first, row + first);
      }
    });
  }
}

}  // namespace

// One row of causal scores s[0, seen) made exponentials in place: its max
// and log sum into lse[0..1], sum_j p_j log p_j into *p_log_p when given,
// and columns [c0, c0 + cols) of the normalised row into `out` when given.
ATTNSCOPE_SIMD_CLONES
void kernels::softmax_row(float* s, int64_t seen, float* lse, double* p_log_p, float* out, int64_t c0, int64_t cols) {
  float m = s[0];
  for (int64_t j = 1; j < seen; ++j) m = std::max(m, s[j]);  // vectorised, unlike std::max_element
  // One exponential per cell, kept: the map is e_ij / sum_j e_ij, as ATen's softmax computes it.
  double sum = 0, e_t = 0;
  if (p_log_p) {
    for (int64_t j = 0; j < seen; ++j) {
      const float t = s[j] - m, e = exp_or_zero(t);
      s[j] = e;
      sum += e;
      e_t += static_cast<double>(e * t);
    }
    *p_log_p = e_t / sum - std::log(sum);
  } else {
    for (int64_t j = 0; j < seen; ++j) {
      const float e = exp_or_zero(s[j] - m);
      s[j] = e;
      sum += e;
    }
  }
  // The row's max and log sum apart: folded into one float, a large max would round the sum away.
  lse[0] = m;
  lse[1] = static_cast<float>(std::log(sum));
  if (!out) return;
  const float inverse = static_cast<float>(1 / sum);
  const int64_t seen_here = std::clamp<int64_t>(seen - c0, 0, cols);  // columns j <= i
  for (int64_t c = 0; c < seen_here; ++c) out[c] = s[c0 + c] * inverse;
  std::fill(out + seen_here, out + cols, 0.f);
}

std::vector<float>& kernels::thread_scratch(int slot, size_t n) {
  static thread_local std::vector<float> buffers[kRasterBandSlot + 1];
  resize_in_huge_pages(buffers[slot], n);
  return buffers[slot];
}

std::vector<float> row_log_normalisers(const MapFactors& f, int head) {
  if (f.form != FactorForm::Softmax) return {};
  check_rect(f, head, 0, 0, f.length, f.length);
  std::vector<float> out(static_cast<size_t>(2 * f.length));
  softmax_rows(f, head, 0, f.length, out.data());
  return out;
}

void compute_tile(const MapFactors& f, int head, int64_t r0, int64_t c0, int64_t rows, int64_t cols, float* out,
                  const std::vector<float>* normalisers) {
  check_rect(f, head, r0, c0, rows, cols);
  if (rows == 0 || cols == 0) return;
  if (f.form == FactorForm::Ssd) return ssd_tile(f, head, r0, c0, rows, cols, out);
  if (f.form == FactorForm::Selective) {
    // Only the positions a tile's cells span: [c0, last row] (none above the diagonal).
    const int64_t end = r0 + rows, first = std::min(c0, end);
    return selective_tile(f.left.data(), f.right.data(), f.A.data(), f.dim, channel_decays(f, head, first, end), r0,
                          c0, rows, cols, out);
  }
  if (normalisers && static_cast<int64_t>(normalisers->size()) == 2 * f.length)
    return softmax_tile(f, head, r0, c0, rows, cols, out, normalisers->data() + 2 * r0);
  std::vector<float> own(static_cast<size_t>(2 * rows));
  softmax_rows(f, head, r0, rows, own.data(), c0, cols, out);
}

void softmax_rows_with_entropy(const MapFactors& f, int head, int64_t r0, int64_t rows, float* out, float* lse,
                               double* p_log_p) {
  if (f.form != FactorForm::Softmax) throw std::invalid_argument("softmax rows of factors that are not softmax");
  check_rect(f, head, r0, 0, rows, r0 + rows);
  if (rows > 0) softmax_rows(f, head, r0, rows, lse, 0, r0 + rows, out, p_log_p);
}

std::vector<float> compute_head(const MapFactors& f, int head) {
  std::vector<float> out = huge_page_vector<float>(static_cast<size_t>(f.length * f.length));
  compute_tile(f, head, 0, 0, f.length, f.length, out.data());
  return out;
}

}  // namespace attnscope::session
