#include "core/mixing/head_metrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/mixing/row_kernels.h"

namespace attnscope::mixing {
double abs_row_sum(const MatrixRef& m, int64_t i) {
  double s = 0;
  for (int64_t j = 0; j <= i; ++j) s += std::abs(m.at(i, j));
  return s;
}

namespace {
RowFigures figures_of(const RowSums& sums, int64_t i) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (sums.abs_sum <= 0) return {nan, nan, nan};
  RowFigures out{nan, sums.largest / sums.abs_sum, nan};
  if (i == 0) return out;
  // Entropy of p = |m| / S without a division per cell: H = log S - sum |m| log |m| / S.
  out.entropy = (std::log(sums.abs_sum) - sums.m_log_m / sums.abs_sum) / std::log(static_cast<double>(i + 1));
  out.sharpness = sums.variation / (2 * sums.abs_sum);
  return out;
}
}  // namespace

RowFigures row_figures(const float* row, int64_t i) { return figures_of(row_sums(row, i + 1, i > 0), i); }

RowFigures row_figures(const float* row, int64_t i, double m_log_m) {
  RowSums sums = row_sums(row, i + 1, false);
  sums.m_log_m = m_log_m;
  return figures_of(sums, i);
}

void RowFigureMeans::add(const RowFigures& r) {
  entropy_.add(r.entropy);
  top1_.add(r.top1);
  sharpness_.add(r.sharpness);
}

namespace {
RowFigureMeans means_of(const MatrixRef& m) {
  RowFigureMeans means;
  for (int64_t i = 0; i < m.length; ++i) means.add(row_figures(m.values + i * m.length, i));
  return means;
}
}  // namespace

double normalised_row_entropy(const MatrixRef& m) { return means_of(m).entropy(); }
double top1_mass(const MatrixRef& m) { return means_of(m).top1(); }
double transition_sharpness(const MatrixRef& m) { return means_of(m).sharpness(); }

void append_sharp_cells(const float* row, int64_t i, std::vector<std::pair<int64_t, int64_t>>& cells, double threshold) {
  double peak = 0;
  for (int64_t j = 0; j <= i; ++j) peak = std::max(peak, static_cast<double>(std::abs(row[j])));
  if (peak <= 0) return;
  for (int64_t j = 1; j <= i; ++j) {
    const double a = row[j - 1], b = row[j];
    if (std::abs(b - a) >= threshold * peak) cells.emplace_back(i, std::abs(b) >= std::abs(a) ? j : j - 1);
  }
}

std::vector<std::pair<int64_t, int64_t>> sharp_cells(const MatrixRef& m, double threshold) {
  std::vector<std::pair<int64_t, int64_t>> cells;
  for (int64_t i = 1; i < m.length; ++i) append_sharp_cells(m.values + i * m.length, i, cells, threshold);
  return cells;
}

}  // namespace attnscope::mixing
