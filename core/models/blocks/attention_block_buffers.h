#pragma once
// The scores and weights of one block of queries in blocked attention
// (attention_mixer.cpp), kept on the thread that runs a forward pass from
// block to block and layer to layer: each is up to 200 MB at 8192 tokens for
// GPT-2 small, and fresh memory that size cost 0.6 s of page faults a block
// here (a plain forward at 8192 tokens: 24-27 s with them kept, 40-47 s without).
// A forward pass gives them back when it ends (ReleasedAfterForward), as do
// the loops that run layers themselves (head scans, a distillation's teacher).
#include <ATen/ATen.h>

namespace attnscope::blocks {

struct AttentionBlockBuffers {
  at::Tensor scores, weights;  // float32, flat; views of their first elements are used
  void fit(int64_t numel);     // at least numel each
};

AttentionBlockBuffers& attention_block_buffers();  // this thread's

// Frees this thread's buffers when it goes out of scope (run_forward holds one).
struct ReleasedAfterForward {
  ReleasedAfterForward() = default;
  ReleasedAfterForward(const ReleasedAfterForward&) = delete;
  ReleasedAfterForward& operator=(const ReleasedAfterForward&) = delete;
  ~ReleasedAfterForward();
};

}  // namespace attnscope::blocks
