#pragma once
// One head's map summarised as it is computed, a block of rows at a time:
// its per-row figures (head_metrics.h) and a pooled overview for the grid and
// the first paint. A map computed from factors never needs to exist whole.
#include <cstdint>
#include <functional>
#include <vector>

#include "core/mixing/head_metrics.h"
#include "core/session/map_factors.h"

namespace attnscope::mixing {

// Overviews are at most this many cells a side (the grid's thumbnails and a first paint).
inline constexpr int kOverviewSize = 256;
// ... and a mixer's overviews at most this many cells together: a Mamba-1
// layer of 1536 one-channel heads gets 36 x 36 thumbnails (8 MB), not 256 x
// 256 (400 MB a layer).
inline constexpr int64_t kMixerOverviewCells = int64_t(1) << 21;
int overview_size_for(int heads);

// An n x n overview of an L x L map fed a block of rows at a time: each cell
// the largest |weight| of its block of the map, sign kept (a sharp peak stays
// visible however far the map is shrunk).
class MaxAbsPool {
 public:
  // `size` is clipped to the map's length.
  MaxAbsPool(int64_t length, int size);
  // Rows [first, first + count) of the map, row r at rows + r * stride (its
  // columns 0..first + r at least), on every core; `per_row(row, r)`, when
  // given, runs beside each row's pooling (on the same core).
  void add_rows(const float* rows, int64_t first, int64_t count, int64_t stride,
                const std::function<void(const float* row, int64_t r)>& per_row = {});
  // Row i (its columns 0..i) pooled into best / marked [size()], on any thread.
  void pool_row(const float* row, int64_t i, float* best, uint8_t* marked) const;
  // Rows [first, first + count) pooled by pool_row ([count * size()] each), merged in row order.
  void merge_rows(const float* best, const uint8_t* marked, int64_t first, int64_t count);
  int size() const { return n_; }
  const std::vector<float>& values() const { return values_; }  // [n * n]

 private:
  int64_t length_;
  int n_;
  std::vector<float> values_;
  std::vector<uint8_t> seen_;
  std::vector<int64_t> column_start_;  // [n + 1]: the first key of each overview column
};

class MapSummary {
 public:
  // `overview_size` is clipped to the map's length.
  MapSummary(int64_t length, int overview_size = kOverviewSize) : pool_(length, overview_size) {}
  // As MaxAbsPool::add_rows; `m_log_m`, when given, is each row's
  // sum |m| log |m| (row_figures), known already.
  void add_rows(const float* rows, int64_t first, int64_t count, int64_t stride, const double* m_log_m = nullptr);
  // The same in two steps, for rows computed on several threads at once:
  // each row's figures and pooled spans on its own thread (stage_row), then
  // a block of staged rows added in row order (add_staged).
  RowFigures stage_row(const float* row, int64_t i, double m_log_m, float* best, uint8_t* marked) const;
  void add_staged(const float* best, const uint8_t* marked, const RowFigures* figures, int64_t first, int64_t count);
  const RowFigureMeans& figures() const { return figures_; }
  int overview_size() const { return pool_.size(); }
  const std::vector<float>& overview() const { return pool_.values(); }

 private:
  MaxAbsPool pool_;
  RowFigureMeans figures_;
};

// Every head of a mixer: from its maps [heads, L, L], or computed block by block from its factors.
std::vector<MapSummary> summarise_maps(const float* maps, int heads, int64_t length, int overview_size = kOverviewSize);
struct FactorSummaries {
  std::vector<MapSummary> heads;
  // Softmax factors: each head's row normalisers, [heads, L, 2] (max, log
  // sum; session::row_log_normalisers), kept so a session's first view of a
  // head costs only its cells. Empty for ssd.
  std::vector<float> row_normalisers;
};
FactorSummaries summarise_factors(const session::MapFactors& factors, int overview_size = kOverviewSize);

}  // namespace attnscope::mixing
