#include "core/mixing/head_metrics.h"

#include <algorithm>
#include <cmath>

namespace attnscope::mixing {
double abs_row_sum(const MatrixRef& m, int64_t i) {
  double s = 0;
  for (int64_t j = 0; j <= i; ++j) s += std::abs(m.at(i, j));
  return s;
}

double normalised_row_entropy(const MatrixRef& m) {
  double total = 0;
  int64_t rows = 0;
  for (int64_t i = 1; i < m.length; ++i) {
    const double s = abs_row_sum(m, i);
    if (s <= 0) continue;
    double h = 0;
    for (int64_t j = 0; j <= i; ++j) {
      const double p = std::abs(m.at(i, j)) / s;
      if (p > 0) h -= p * std::log(p);
    }
    total += h / std::log(static_cast<double>(i + 1));
    ++rows;
  }
  return rows ? total / rows : 0;
}

double top1_mass(const MatrixRef& m) {
  double total = 0;
  int64_t rows = 0;
  for (int64_t i = 0; i < m.length; ++i) {
    const double s = abs_row_sum(m, i);
    if (s <= 0) continue;
    double best = 0;
    for (int64_t j = 0; j <= i; ++j) best = std::max(best, static_cast<double>(std::abs(m.at(i, j))));
    total += best / s;
    ++rows;
  }
  return rows ? total / rows : 0;
}

double transition_sharpness(const MatrixRef& m) {
  double total = 0;
  int64_t rows = 0;
  for (int64_t i = 1; i < m.length; ++i) {
    const double s = abs_row_sum(m, i);
    if (s <= 0) continue;
    // Edges count as jumps from and to zero, so a one-hot row scores 1 wherever its peak is.
    double tv = std::abs(m.at(i, 0)) + std::abs(m.at(i, i));
    for (int64_t j = 1; j <= i; ++j) tv += std::abs(m.at(i, j) - m.at(i, j - 1));
    total += tv / (2 * s);
    ++rows;
  }
  return rows ? total / rows : 0;
}

std::vector<std::pair<int64_t, int64_t>> sharp_cells(const MatrixRef& m, double threshold) {
  std::vector<std::pair<int64_t, int64_t>> cells;
  for (int64_t i = 1; i < m.length; ++i) {
    double peak = 0;
    for (int64_t j = 0; j <= i; ++j) peak = std::max(peak, static_cast<double>(std::abs(m.at(i, j))));
    if (peak <= 0) continue;
    for (int64_t j = 1; j <= i; ++j) {
      const double a = m.at(i, j - 1), b = m.at(i, j);
      if (std::abs(b - a) >= threshold * peak) cells.emplace_back(i, std::abs(b) >= std::abs(a) ? j : j - 1);
    }
  }
  return cells;
}

}  // namespace attnscope::mixing
