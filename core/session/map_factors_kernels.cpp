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

#include "core/util/parallel.h"

namespace attnscope::session {
namespace {

// Rows are computed this many at a time: the scores of a block are at most
// kRowBlock x L floats (32 MB at L = 8192).
constexpr int64_t kRowBlock = 1024;

void parallel_rows(int64_t n, const std::function<void(int64_t, int64_t)>& body) { parallel_for(n, 32, body); }

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
void softmax_rows(const MapFactors& f, int head, int64_t r0, int64_t rows, float* lse, int64_t c0 = 0, int64_t cols = 0,
                  float* out = nullptr) {
  const float *q = left_of(f, head), *k = right_of(f, head);
  std::vector<float> scores;
  for (int64_t b0 = r0; b0 < r0 + rows; b0 += kRowBlock) {
    const int64_t n = std::min(kRowBlock, r0 + rows - b0), keys = b0 + n;  // causal: keys up to the block's last row
    scores.resize(static_cast<size_t>(n * keys));
    dot_block(q, k, f.dim, b0, n, 0, keys, f.scale, scores.data());
    parallel_rows(n, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        float* s = scores.data() + r * keys;
        const int64_t i = b0 + r, seen = i + 1;
        const float m = *std::max_element(s, s + seen);
        // One exponential per cell, kept: the map is e_ij / sum_j e_ij, as ATen's softmax computes it.
        for (int64_t j = 0; j < seen; ++j) s[j] = std::exp(s[j] - m);  // a loop the compiler can vectorise
        double sum = 0;
        for (int64_t j = 0; j < seen; ++j) sum += s[j];
        // The row's max and log sum apart: folded into one float, a large max would round the sum away.
        lse[2 * (i - r0)] = m;
        lse[2 * (i - r0) + 1] = static_cast<float>(std::log(sum));
        if (!out) continue;
        const float inverse = static_cast<float>(1 / sum);
        float* o = out + (i - r0) * cols;
        const int64_t seen_here = std::clamp<int64_t>(i + 1 - c0, 0, cols);  // columns j <= i
        for (int64_t c = 0; c < seen_here; ++c) o[c] = s[c0 + c] * inverse;
        std::fill(o + seen_here, o + cols, 0.f);
      }
    });
  }
}

void softmax_tile(const MapFactors& f, int head, int64_t r0, int64_t c0, int64_t rows, int64_t cols, float* out,
                  const float* normalisers) {
  std::vector<float> scores(static_cast<size_t>(std::min(kRowBlock, rows) * cols));
  for (int64_t b0 = r0; b0 < r0 + rows; b0 += kRowBlock) {
    const int64_t n = std::min(kRowBlock, r0 + rows - b0);
    dot_block(left_of(f, head), right_of(f, head), f.dim, b0, n, c0, cols, f.scale, scores.data());
    parallel_rows(n, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t i = b0 + r;
        const float m = normalisers[2 * (i - r0)], log_sum = normalisers[2 * (i - r0) + 1];
        float* o = out + (i - r0) * cols;
        const float* s = scores.data() + r * cols;
        const int64_t seen = std::clamp<int64_t>(i + 1 - c0, 0, cols);  // columns j <= i
        for (int64_t c = 0; c < seen; ++c) o[c] = std::exp((s[c] - m) - log_sum);
        std::fill(o + seen, o + cols, 0.f);
      }
    });
  }
}

void ssd_tile(const MapFactors& f, int head, int64_t r0, int64_t c0, int64_t rows, int64_t cols, float* out) {
  std::vector<float> dots(static_cast<size_t>(std::min(kRowBlock, rows) * cols));
  const double* cum = f.log_decay_cumsum.data() + head * f.length;
  const float* w = f.weight.data() + head * f.length;
  for (int64_t b0 = r0; b0 < r0 + rows; b0 += kRowBlock) {
    const int64_t n = std::min(kRowBlock, r0 + rows - b0);
    dot_block(left_of(f, head), right_of(f, head), f.dim, b0, n, c0, cols, 1.0, dots.data());
    parallel_rows(n, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t i = b0 + r;
        float* o = out + (i - r0) * cols;
        const float* d = dots.data() + r * cols;
        for (int64_t c = 0; c < cols; ++c) {
          const int64_t j = c0 + c;
          o[c] = j <= i ? static_cast<float>(d[c] * std::exp(cum[i] - cum[j]) * w[j]) : 0.f;
        }
      }
    });
  }
}

}  // namespace

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
  if (normalisers && static_cast<int64_t>(normalisers->size()) == 2 * f.length)
    return softmax_tile(f, head, r0, c0, rows, cols, out, normalisers->data() + 2 * r0);
  std::vector<float> own(static_cast<size_t>(2 * rows));
  softmax_rows(f, head, r0, rows, own.data(), c0, cols, out);
}

std::vector<float> compute_head(const MapFactors& f, int head) {
  std::vector<float> out(static_cast<size_t>(f.length * f.length));
  compute_tile(f, head, 0, 0, f.length, f.length, out.data());
  return out;
}

}  // namespace attnscope::session
