#pragma once
// A softmax mixer's summaries (map_summary.h) made from the blocks of scores
// and weights its forward computes anyway (a long prompt's attention runs a
// block of queries at a time, blocks::AttentionBlock), instead of from its
// factors after the layer: the scores' products and exponentials are then
// paid once, not twice. Measured at 8192 tokens: docs/performance.md.
#include <cstdint>

#include "core/mixing/map_summary.h"

namespace attnscope::mixing {

class SoftmaxBlockSummaries {
 public:
  SoftmaxBlockSummaries(int heads, int64_t length, int overview_size = kOverviewSize);
  // Query rows [first_row, first_row + rows) of every head, in row order:
  // scores (scaled q.k) and their softmax, each [heads, rows, keys]; row r
  // reads keys [0, first_row + r]. A block out of order or of another shape
  // leaves the summaries incomplete (the caller then uses the factors).
  void add_block(const float* scores, const float* weights, int heads, int64_t first_row, int64_t rows, int64_t keys);
  // Whether every row of every head was added, in order.
  bool complete() const { return !broken_ && next_row_ == length_; }
  int heads() const { return heads_; }
  // The figures, overviews and row normalisers, as summarise_factors gives them.
  FactorSummaries take() { return std::move(summaries_); }

 private:
  int heads_;
  int64_t length_;
  int64_t next_row_ = 0;
  bool broken_ = false;
  FactorSummaries summaries_;
};

}  // namespace attnscope::mixing
