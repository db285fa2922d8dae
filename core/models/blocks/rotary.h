#pragma once
// Rotary position embedding (rotate-half convention, as GPT-NeoX and Llama
// checkpoints use), optionally on the first `rotary_dim` dims of each head
// only (partial rotary), with Llama-3 and linear frequency scaling.
#include <ATen/ATen.h>

#include <string>

#include "core/models/config/rope_config.h"

namespace attnscope::blocks {

class Rotary {
 public:
  Rotary() = default;
  Rotary(int64_t rotary_dim, double theta, const RopeScaling& scaling = {});
  int64_t rotary_dim() const { return rotary_dim_; }
  // x: [B, H, L, head_dim]; rotates the first rotary_dim dims by position.
  at::Tensor apply(const at::Tensor& x) const;

 private:
  int64_t rotary_dim_ = 0;
  at::Tensor inv_freq_;  // [rotary_dim / 2], float64
};

}  // namespace attnscope::blocks
