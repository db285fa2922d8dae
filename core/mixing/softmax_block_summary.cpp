#include "core/mixing/softmax_block_summary.h"

#include "core/session/kernel_support.h"
#include "core/util/parallel.h"

namespace attnscope::mixing {

// The forward's own softmax where a session watches its rows: NaN scores give
// undefined weights here (the kernel is built with -ffast-math), which the
// forward's finiteness check after the layer reports as it does any NaN.
void causal_softmax_block(float* scores, float* weights, int heads, int64_t first_row, int64_t rows,
                          int64_t keys, SoftmaxRowSink& sink) {
  sink.begin_block(heads, first_row, rows, keys);
  parallel_for(static_cast<int64_t>(heads) * rows, 16, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n) {
      const int head = static_cast<int>(n / rows);
      const int64_t r = n % rows;
      float* row = weights + n * keys;
      float lse[2];
      SoftmaxRowStats stats;
      session::kernels::softmax_row(scores + n * keys, first_row + r + 1, lse, &stats.p_log_p, row, 0, keys);
      stats.max_score = lse[0], stats.log_sum = lse[1];
      sink.add_row(head, r, row, stats);
    }
  });
  sink.end_block();
}

SoftmaxBlockSummaries::SoftmaxBlockSummaries(int heads, int64_t length, int overview_size)
    : heads_(heads), length_(length) {
  for (int h = 0; h < heads; ++h) summaries_.heads.emplace_back(length, overview_size);
  overview_ = heads > 0 ? summaries_.heads.front().overview_size() : 0;
  summaries_.row_normalisers.resize(static_cast<size_t>(heads) * length * 2);
}

void SoftmaxBlockSummaries::begin_block(int heads, int64_t first_row, int64_t rows, int64_t keys) {
  in_block_ = true;
  if (heads != heads_ || first_row != next_row_ || rows <= 0 || first_row + rows > length_ || keys < first_row + rows)
    broken_ = true;
  if (broken_) return;
  block_first_ = first_row, block_rows_ = rows;
  const size_t staged = static_cast<size_t>(heads_) * rows;
  pooled_.resize(staged * overview_);
  marked_.assign(staged * overview_, 0);
  figures_.resize(staged);
}

void SoftmaxBlockSummaries::add_row(int head, int64_t r, const float* weights, const SoftmaxRowStats& stats) {
  if (broken_) return;
  const int64_t i = block_first_ + r;
  const size_t n = static_cast<size_t>(head) * block_rows_ + r;
  float* normalisers = summaries_.row_normalisers.data() + (static_cast<size_t>(head) * length_ + i) * 2;
  normalisers[0] = stats.max_score, normalisers[1] = stats.log_sum;
  figures_[n] = summaries_.heads[head].stage_row(weights, i, stats.p_log_p, pooled_.data() + n * overview_,
                                                 marked_.data() + n * overview_);
}

void SoftmaxBlockSummaries::end_block() {
  in_block_ = false;
  if (broken_) return;
  for (int h = 0; h < heads_; ++h) {
    const size_t n = static_cast<size_t>(h) * block_rows_;
    summaries_.heads[h].add_staged(pooled_.data() + n * overview_, marked_.data() + n * overview_, figures_.data() + n,
                                   block_first_, block_rows_);
  }
  next_row_ += block_rows_;
}

}  // namespace attnscope::mixing
