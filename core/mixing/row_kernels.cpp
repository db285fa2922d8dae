#include "core/mixing/row_kernels.h"

#include "core/util/simd_clones.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace attnscope::mixing {

ATTNSCOPE_SIMD_CLONES
RowSums row_sums(const float* row, int64_t n, bool with_m_log_m) {
  RowSums out;
  if (n <= 0) return out;
  double s = 0, tv = std::abs(row[0]) + std::abs(row[n - 1]);  // the edges: jumps from and to zero
  float best = 0;
  for (int64_t j = 0; j < n; ++j) {
    const float a = std::abs(row[j]);
    s += a;
    best = std::max(best, a);
  }
  for (int64_t j = 1; j < n; ++j) tv += std::abs(row[j] - row[j - 1]);
  out.abs_sum = s, out.largest = best, out.variation = tv;
  if (with_m_log_m) {
    double mlm = 0;
    // A zero cell adds nothing: 0 log FLT_MIN = 0. No zero or subnormal reaches
    // the logarithm, whose vector form takes a slow scalar path for them (and
    // under -ffast-math a select guarding log(0) is computed on every lane anyway).
    for (int64_t j = 0; j < n; ++j) {
      const float a = std::abs(row[j]);
      mlm += static_cast<double>(a * std::log(std::max(a, std::numeric_limits<float>::min())));
    }
    out.m_log_m = mlm;
  }
  return out;
}

namespace {
inline float max_abs_signed(const float* row, int64_t n) {
  float hi = row[0], lo = row[0];
  for (int64_t j = 1; j < n; ++j) hi = std::max(hi, row[j]), lo = std::min(lo, row[j]);
  return -lo > hi ? lo : hi;
}
}  // namespace

// One call per row rather than per span: spans are short (L / 256 cells).
ATTNSCOPE_SIMD_CLONES
int pool_row_max_abs(const float* row, int64_t seen, const int64_t* column_start, int spans, float* best,
                     uint8_t* marked) {
  int k = 0;
  for (; k < spans && column_start[k] < seen; ++k) {
    const int64_t end = std::min(column_start[k + 1], seen);
    best[k] = max_abs_signed(row + column_start[k], end - column_start[k]);
    marked[k] = 1;
  }
  return k;
}

}  // namespace attnscope::mixing
