#include "core/mixing/metric_table.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/mixing/head_metrics.h"
#include "core/util/error.h"
#include "core/util/parallel.h"

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

namespace {
// Rows of a map block by block: figures of each row on every core, then added in row order.
constexpr int64_t kRowBlock = 512;

void add_rows(RowFigureMeans& means, const float* rows, int64_t first, int64_t count, int64_t stride) {
  std::vector<RowFigures> figures(static_cast<size_t>(count));
  parallel_for(count, 16, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) figures[r] = row_figures(rows + r * stride, first + r);
  });
  for (const auto& f : figures) means.add(f);
}
}  // namespace

void HeadMetricTable::check(int row, int heads) const {
  if (row < 0 || row >= rows_ || heads > max_heads_)
    throw Error("metrics: mixer row " + std::to_string(row) + " with " + std::to_string(heads) +
                " heads does not fit the table");
}

void HeadMetricTable::put(int row, int head, const RowFigureMeans& means) {
  const size_t at = static_cast<size_t>(row) * max_heads_ + head;
  values_[0][at] = static_cast<float>(means.entropy());
  values_[1][at] = static_cast<float>(means.top1());
  values_[2][at] = static_cast<float>(means.sharpness());
}

void HeadMetricTable::add_row(int row, const float* maps, int heads, int64_t length) {
  check(row, heads);
  for (int h = 0; h < heads; ++h) {
    RowFigureMeans means;
    add_rows(means, maps + static_cast<size_t>(h) * length * length, 0, length, length);
    put(row, h, means);
  }
}

void HeadMetricTable::add_row(int row, const session::MapFactors& factors) {
  check(row, factors.heads);
  const int64_t L = factors.length;
  std::vector<float> block;
  for (int h = 0; h < factors.heads; ++h) {
    RowFigureMeans means;
    for (int64_t b0 = 0; b0 < L; b0 += kRowBlock) {
      const int64_t n = std::min(kRowBlock, L - b0), keys = b0 + n;  // causal: no key past the block's last row
      block.resize(static_cast<size_t>(n * keys));
      session::compute_tile(factors, h, b0, 0, n, keys, block.data());
      add_rows(means, block.data(), b0, n, keys);
    }
    put(row, h, means);
  }
}

std::vector<session::MetricRecord> HeadMetricTable::records() const {
  std::vector<session::MetricRecord> out;
  for (size_t k = 0; k < names().size(); ++k) out.push_back({names()[k], rows_, max_heads_, values_[k]});
  return out;
}

}  // namespace attnscope::mixing
