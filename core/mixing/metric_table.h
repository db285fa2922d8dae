#pragma once
// The per-head figures a session stores under /metrics (docs/metrics.md),
// gathered mixer by mixer as a run captures its maps: row entropy, top-1
// mass and transition sharpness, each a [mixer rows, max_heads] table with
// NaN where a mixer has fewer heads or no maps.
#include <string>
#include <vector>

#include "core/mixing/map_summary.h"

#include "core/session/session_data.h"

namespace attnscope::mixing {

class HeadMetricTable {
 public:
  HeadMetricTable(int rows, int max_heads);
  // maps: [heads, L, L] row-major float32 of one mixer (its row in ModelRecord::mixers).
  void add_row(int row, const float* maps, int heads, int64_t length);
  // The figures of summaries made as the maps were (from maps or factors, map_summary.h).
  void add_row(int row, const std::vector<MapSummary>& heads);
  std::vector<session::MetricRecord> records() const;
  static const std::vector<std::string>& names();  // in records() order

 private:
  int rows_, max_heads_;
  void check(int row, int heads) const;
  std::vector<std::vector<float>> values_;  // per metric, [rows * max_heads]
};

}  // namespace attnscope::mixing
