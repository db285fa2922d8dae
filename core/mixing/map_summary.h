#pragma once
// One head's map summarised as it is computed, a block of rows at a time:
// its per-row figures (head_metrics.h) and a pooled overview for the grid and
// the first paint. A map computed from factors never needs to exist whole.
#include <cstdint>
#include <vector>

#include "core/mixing/head_metrics.h"
#include "core/session/map_factors.h"

namespace attnscope::mixing {

// Overviews are at most this many cells a side (the grid's thumbnails and a first paint).
inline constexpr int kOverviewSize = 256;

class MapSummary {
 public:
  // `overview_size` is clipped to the map's length.
  MapSummary(int64_t length, int overview_size = kOverviewSize);
  // Rows [first, first + count) of the map, row r at rows + r * stride (its columns 0..first + r at least).
  void add_rows(const float* rows, int64_t first, int64_t count, int64_t stride);
  const RowFigureMeans& figures() const { return figures_; }
  int overview_size() const { return n_; }
  // [n * n]: each cell the largest |weight| of its block of the map, sign kept
  // (a sharp peak stays visible however far the map is shrunk).
  const std::vector<float>& overview() const { return overview_; }

 private:
  int64_t length_;
  int n_;
  RowFigureMeans figures_;
  std::vector<float> overview_;
  std::vector<uint8_t> seen_;
  std::vector<int64_t> column_start_;  // [n + 1]: the first key of each overview column
};

// Every head of a mixer: from its maps [heads, L, L], or computed block by block from its factors.
std::vector<MapSummary> summarise_maps(const float* maps, int heads, int64_t length, int overview_size = kOverviewSize);
std::vector<MapSummary> summarise_factors(const session::MapFactors& factors, int overview_size = kOverviewSize);

}  // namespace attnscope::mixing
