#include "core/mixing/ga_scores.h"

#include <cmath>
#include <limits>

namespace attnscope::mixing {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

double gather_score(const MatrixRef& m, const std::vector<Segment>& segments) {
  double total = 0;
  int counted = 0;
  for (const auto& s : segments) {
    if (s.last <= s.first || s.last >= m.length || s.first < 0) continue;
    const double row = abs_row_sum(m, s.last);
    double own = 0;
    for (int64_t j = s.first; j < s.last; ++j) own += std::abs(m.at(s.last, j));
    total += row > 0 ? own / row : 0;
    ++counted;
  }
  return counted ? total / counted : kNaN;
}

double aggregate_score(const MatrixRef& m, const std::vector<Segment>& segments) {
  if (segments.empty() || m.length == 0) return kNaN;
  const int64_t final_row = m.length - 1;
  const double row = abs_row_sum(m, final_row);
  double read = 0;
  for (const auto& s : segments)
    if (s.last >= 0 && s.last <= final_row) read += std::abs(m.at(final_row, s.last));
  return row > 0 ? read / row : 0;
}

}  // namespace attnscope::mixing
