#pragma once
// Rotary position embedding (rotate-half convention, as GPT-NeoX and Llama
// checkpoints use), optionally on the first `rotary_dim` dims of each head
// only (partial rotary), with Llama-3 and linear frequency scaling.
#include <ATen/ATen.h>

#include <string>

#include "core/io/config.h"

namespace attnscope::blocks {

struct RopeScaling {
  std::string type;  // "", "linear", "llama3"
  double factor = 1;
  double low_freq_factor = 1, high_freq_factor = 4;
  double original_max_positions = 8192;
};

// Reads rope_scaling (null, {type|rope_type: linear|llama3|default, ...}); throws for kinds we do not implement.
RopeScaling read_rope_scaling(const io::Config& config);

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
