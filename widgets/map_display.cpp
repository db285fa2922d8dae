#include "widgets/map_display.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace attnscope::widgets {
namespace {
constexpr float kBlank = std::numeric_limits<float>::quiet_NaN();
// Beyond this many cells the percentile is taken over an even sample: the
// colour range of an 8k map is found in milliseconds, not seconds.
constexpr size_t kPercentileSample = size_t{1} << 22;

double percentile_of(std::vector<float>& magnitudes, double percentile) {
  if (magnitudes.empty()) return 0;
  const double rank = std::clamp(percentile, 0.0, 100.0) / 100.0 * double(magnitudes.size() - 1);
  auto nth = magnitudes.begin() + static_cast<std::ptrdiff_t>(std::llround(rank));
  std::nth_element(magnitudes.begin(), nth, magnitudes.end());
  return *nth;
}

std::vector<float> sample_of_magnitudes(const std::vector<float>& values, size_t cols) {
  // A stride sharing no factor with the row length samples every column, not a few.
  size_t stride = std::max<size_t>(1, values.size() / kPercentileSample);
  while (stride > 1 && std::gcd(stride, cols) != 1) ++stride;
  std::vector<float> magnitudes;
  magnitudes.reserve(values.size() / stride + 1);
  for (size_t k = 0; k < values.size(); k += stride)
    if (!std::isnan(values[k])) magnitudes.push_back(std::abs(values[k]));
  return magnitudes;
}
}  // namespace

bool has_signed_weights(const MatrixView& m) {
  double lowest = 0, largest = 0;
  for (int i = 0; i < m.rows; ++i) {
    const float* row = m.values + static_cast<size_t>(i) * m.cols;
    for (int j = 0, end = m.visible_end(i); j < end; ++j)
      if (!std::isnan(row[j])) lowest = std::min<double>(lowest, row[j]), largest = std::max<double>(largest, std::abs(row[j]));
  }
  return lowest < -1e-3 * largest;
}

DisplayedMap prepare_display(const MatrixView& m, const DisplayOptions& options) {
  DisplayedMap out;
  out.is_signed = has_signed_weights(m);
  out.values.assign(static_cast<size_t>(m.rows) * m.cols, kBlank);
  double lo = INFINITY, hi = -INFINITY, smallest_positive = INFINITY;
  for (int i = 0; i < m.rows; ++i) {
    const float* in = m.values + static_cast<size_t>(i) * m.cols;
    float* row = out.values.data() + static_cast<size_t>(i) * m.cols;
    const int end = m.visible_end(i);
    std::copy(in, in + end, row);
    const int diagonal = m.row_begin + i - m.col_begin;
    if (options.hide_diagonal && diagonal >= 0 && diagonal < end) row[diagonal] = kBlank;
    if (options.row_normalise) {
      float largest = 0;
      for (int j = 0; j < end; ++j)
        if (!std::isnan(row[j])) largest = std::max(largest, std::abs(row[j]));
      if (largest > 0)
        for (int j = 0; j < end; ++j) row[j] /= largest;
    }
    for (int j = 0; j < end; ++j) {
      if (std::isnan(row[j])) continue;
      lo = std::min<double>(lo, row[j]), hi = std::max<double>(hi, row[j]);
      if (row[j] > 0) smallest_positive = std::min<double>(smallest_positive, row[j]);
    }
  }
  std::vector<float> magnitudes;
  if (options.clip_percentile < 100) magnitudes = sample_of_magnitudes(out.values, m.cols);
  out.range = display_range(lo, hi, smallest_positive, out.is_signed, magnitudes, options);
  return out;
}

ValueRange display_range(double lowest, double highest, double smallest_positive, bool is_signed,
                         std::vector<float>& magnitudes, const DisplayOptions& options) {
  if (!std::isfinite(lowest)) return {0, 1};
  double top = is_signed ? std::max(std::abs(lowest), std::abs(highest)) : highest;
  if (options.clip_percentile < 100) top = percentile_of(magnitudes, options.clip_percentile);
  if (!(top > 0)) top = 1;
  ValueRange range = is_signed ? ValueRange{-top, top} : ValueRange{std::min(lowest, 0.0), top};
  range.smallest_positive = std::isfinite(smallest_positive) && smallest_positive > 0 ? smallest_positive : 0;
  return range;
}

}  // namespace attnscope::widgets
