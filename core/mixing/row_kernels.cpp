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

ATTNSCOPE_SIMD_CLONES
// The forward's own softmax where a session watches its rows: NaN scores give
// undefined weights here (-ffast-math), which the forward's finiteness check
// after the layer reports as it does any NaN.
SoftmaxRowStats causal_softmax_row(const float* scores, int64_t seen, int64_t keys, float* weights) {
  SoftmaxRowStats out;
  std::fill(weights + std::max<int64_t>(seen, 0), weights + keys, 0.f);
  if (seen <= 0) return out;
  float m = scores[0];
  for (int64_t j = 1; j < seen; ++j) m = std::max(m, scores[j]);
  // Float sums over spans of a few hundred cells, added in float64: a
  // float64 sum of every cell halves the vector width.
  constexpr int64_t kSpan = 256;
  double sum = 0, e_t = 0;
  for (int64_t j0 = 0; j0 < seen; j0 += kSpan) {
    const int64_t j1 = std::min(seen, j0 + kSpan);
    float span_sum = 0, span_e_t = 0;
    for (int64_t j = j0; j < j1; ++j) {
      // exp(t) for t <= 0, exactly 0 where float underflows (glibc's vector
      // exp takes a slow scalar path there; sharp rows are mostly such cells).
      const float t = scores[j] - m, e = t < -87.f ? 0.f : std::exp(std::max(t, -87.f));
      weights[j] = e;
      span_sum += e;
      span_e_t += e * t;
    }
    sum += span_sum, e_t += span_e_t;
  }
  const float inverse = static_cast<float>(1 / sum);
  for (int64_t j = 0; j < seen; ++j) weights[j] *= inverse;
  out.max_score = m;
  out.log_sum = static_cast<float>(std::log(sum));
  out.p_log_p = e_t / sum - std::log(sum);
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
