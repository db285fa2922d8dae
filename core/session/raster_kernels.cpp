#include "core/session/raster_kernels.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace attnscope::session::raster_kernels {

float largest_magnitude(const float* x, int64_t n) {
  float m = 0;
  for (int64_t j = 0; j < n; ++j) m = std::max(m, std::abs(x[j]));
  return m;
}

int64_t pool_magnitudes(const float* magnitude, const int32_t* from_row, const int64_t* col_start, int64_t pixels,
                        int64_t stop, int64_t* at) {
  int64_t p = 0;
  for (; p < pixels && col_start[p] < stop; ++p) {
    const int64_t to = std::min(stop, col_start[p + 1]);
    float largest = -1;
    int64_t best = -1;
    for (int64_t j = col_start[p]; j < to; ++j)
      if (magnitude[j] > largest || (magnitude[j] == largest && best >= 0 && from_row[j] < from_row[best]))
        largest = magnitude[j], best = j;
    at[p] = best;
  }
  return p;
}

RowFigures row_figures(const float* x, int64_t n) {
  float lo = x[0], hi = x[0], positive = FLT_MAX;
  for (int64_t j = 0; j < n; ++j) {
    lo = std::min(lo, x[j]), hi = std::max(hi, x[j]);
    positive = std::min(positive, x[j] > 0 ? x[j] : FLT_MAX);
  }
  return {lo, hi, positive};
}

}  // namespace attnscope::session::raster_kernels
