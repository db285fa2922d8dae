#include "core/mixing/softmax_block_summary.h"

#include "core/mixing/row_kernels.h"

namespace attnscope::mixing {

SoftmaxBlockSummaries::SoftmaxBlockSummaries(int heads, int64_t length, int overview_size)
    : heads_(heads), length_(length) {
  for (int h = 0; h < heads; ++h) summaries_.heads.emplace_back(length, overview_size);
  summaries_.row_normalisers.resize(static_cast<size_t>(heads) * length * 2);
}

void SoftmaxBlockSummaries::add_block(const float* scores, const float* weights, int heads, int64_t first_row,
                                      int64_t rows, int64_t keys) {
  if (broken_) return;
  if (heads != heads_ || first_row != next_row_ || rows <= 0 || first_row + rows > length_ || keys < first_row + rows) {
    broken_ = true;
    return;
  }
  for (int h = 0; h < heads_; ++h) {
    const size_t head_offset = static_cast<size_t>(h) * rows * keys;
    const float* head_scores = scores + head_offset;
    float* normalisers = summaries_.row_normalisers.data() + (static_cast<size_t>(h) * length_ + first_row) * 2;
    // Each row's normalisers and entropy beside its pooling: the block is
    // hundreds of MB at 8k tokens, so every extra pass over it is a pass over memory.
    summaries_.heads[h].add_rows(weights + head_offset, first_row, rows, keys, [&](const float* row, int64_t r) {
      const SoftmaxRowStats stats = softmax_row_stats(head_scores + r * keys, row, first_row + r + 1);
      normalisers[2 * r] = stats.max_score;
      normalisers[2 * r + 1] = stats.log_sum;
      return stats.p_log_p;
    });
  }
  next_row_ += rows;
}

}  // namespace attnscope::mixing
