#include "core/mixing/metric_table.h"

#include <cmath>
#include <limits>

#include "core/mixing/head_metrics.h"
#include "core/util/error.h"

namespace attnscope::mixing {

const std::vector<std::string>& HeadMetricTable::names() {
  static const std::vector<std::string> n = {"row_entropy", "top1_mass", "transition_sharpness"};
  return n;
}

HeadMetricTable::HeadMetricTable(int rows, int max_heads)
    : rows_(rows),
      max_heads_(max_heads),
      values_(names().size(),
              std::vector<float>(static_cast<size_t>(rows) * max_heads, std::numeric_limits<float>::quiet_NaN())) {}

void HeadMetricTable::add_row(int row, const float* maps, int heads, int64_t length) {
  if (row < 0 || row >= rows_ || heads > max_heads_)
    throw Error("metrics: mixer row " + std::to_string(row) + " with " + std::to_string(heads) +
                " heads does not fit the table");
  for (int h = 0; h < heads; ++h) {
    const MatrixRef m{maps + static_cast<size_t>(h) * length * length, length};
    const size_t at = static_cast<size_t>(row) * max_heads_ + h;
    values_[0][at] = static_cast<float>(normalised_row_entropy(m));
    values_[1][at] = static_cast<float>(top1_mass(m));
    values_[2][at] = static_cast<float>(transition_sharpness(m));
  }
}

std::vector<session::MetricRecord> HeadMetricTable::records() const {
  std::vector<session::MetricRecord> out;
  for (size_t k = 0; k < names().size(); ++k) out.push_back({names()[k], rows_, max_heads_, values_[k]});
  return out;
}

}  // namespace attnscope::mixing
