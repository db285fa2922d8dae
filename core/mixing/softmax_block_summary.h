#pragma once
// A softmax mixer's summaries (map_summary.h) made while its forward computes
// the map's rows (a long prompt's attention runs a block of queries at a
// time): the softmax of each row is followed at once, while the row is in
// cache, by its figures, its pooled overview and its normalisers, instead of
// computing every head's map again from its factors after the layer. The
// scores' products and exponentials are paid once, and the rows are not read
// from memory again. Measured at 8192 tokens: docs/performance.md.
#include <cstdint>
#include <vector>

#include "core/mixing/map_summary.h"

namespace attnscope::mixing {

// A softmax row's normalisers as a session stores them (max score and log
// sum, session::row_log_normalisers) and sum_j p_j log p_j.
struct SoftmaxRowStats {
  float max_score = 0;
  float log_sum = 0;
  double p_log_p = 0;
};

// What sees the rows of a block as causal_softmax_block computes them.
class SoftmaxRowSink {
 public:
  virtual ~SoftmaxRowSink() = default;
  // Query rows [first_row, first_row + rows) of `heads` heads, keys [0, keys).
  virtual void begin_block(int heads, int64_t first_row, int64_t rows, int64_t keys) = 0;
  // Row r of the block for `head`: its weights (keys 0..first_row + r) and
  // statistics. Called on several threads at once, once for each row.
  virtual void add_row(int head, int64_t r, const float* weights, const SoftmaxRowStats& stats) = 0;
  // After every row of the block.
  virtual void end_block() = 0;
};

// Each row of a block of causal scores [heads, rows, keys] (row r of a head
// sees keys 0..first_row + r; the rest of its weights are zero) made its
// softmax into `weights`, on every core, each row shown to `sink`. The
// scores are overwritten (with their exponentials): the row kernel is the
// factor kernels' own (session::kernels::softmax_row), so a session's rows
// are computed as those recomputed from its factors.
void causal_softmax_block(float* scores, float* weights, int heads, int64_t first_row, int64_t rows,
                          int64_t keys, SoftmaxRowSink& sink);

class SoftmaxBlockSummaries final : public SoftmaxRowSink {
 public:
  SoftmaxBlockSummaries(int heads, int64_t length, int overview_size = kOverviewSize);
  // Blocks must come in row order with this mixer's heads; one out of order
  // or of another shape leaves the summaries incomplete (the caller then uses the factors).
  void begin_block(int heads, int64_t first_row, int64_t rows, int64_t keys) override;
  void add_row(int head, int64_t r, const float* weights, const SoftmaxRowStats& stats) override;
  void end_block() override;
  // Whether every row of every head was added, in order.
  bool complete() const { return !broken_ && !in_block_ && next_row_ == length_; }
  int heads() const { return heads_; }
  // The figures, overviews and row normalisers, as summarise_factors gives
  // them; once (complete() is false after).
  FactorSummaries take() {
    broken_ = true;
    return std::move(summaries_);
  }

 private:
  int heads_;
  int64_t length_;
  int overview_;
  int64_t next_row_ = 0;
  bool broken_ = false, in_block_ = false;
  int64_t block_first_ = 0, block_rows_ = 0;
  FactorSummaries summaries_;
  // The block's rows as staged, [heads * rows] (pooled spans: each times the overview's size).
  std::vector<float> pooled_;
  std::vector<uint8_t> marked_;
  std::vector<RowFigures> figures_;
};

}  // namespace attnscope::mixing
