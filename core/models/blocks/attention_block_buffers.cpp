#include "core/models/blocks/attention_block_buffers.h"

namespace attnscope::blocks {

void AttentionBlockBuffers::fit(int64_t numel) {
  if (scores.defined() && scores.numel() >= numel) return;
  scores = weights = at::Tensor();  // the old pair goes before the new one comes
  scores = at::empty({numel}, at::TensorOptions().dtype(at::kFloat));
  weights = at::empty({numel}, at::TensorOptions().dtype(at::kFloat));
}

AttentionBlockBuffers& attention_block_buffers() {
  static thread_local AttentionBlockBuffers buffers;
  return buffers;
}

ReleasedAfterForward::~ReleasedAfterForward() { attention_block_buffers() = AttentionBlockBuffers{}; }

}  // namespace attnscope::blocks
