#include "core/models/blocks/attention_block_buffers.h"

namespace attnscope::blocks {

void AttentionBlockBuffers::fit(int64_t numel) {
  if (scores.defined() && weights.defined() && scores.numel() >= numel && weights.numel() >= numel) return;
  scores = weights = at::Tensor();  // the old pair goes before the new one comes
  // Both or neither: an allocation that fails leaves the pair empty, to be made again next time.
  at::Tensor new_scores = at::empty({numel}, at::TensorOptions().dtype(at::kFloat));
  at::Tensor new_weights = at::empty({numel}, at::TensorOptions().dtype(at::kFloat));
  scores = std::move(new_scores), weights = std::move(new_weights);
}

AttentionBlockBuffers& attention_block_buffers() {
  static thread_local AttentionBlockBuffers buffers;
  return buffers;
}

ReleasedAfterForward::~ReleasedAfterForward() { attention_block_buffers() = AttentionBlockBuffers{}; }

}  // namespace attnscope::blocks
