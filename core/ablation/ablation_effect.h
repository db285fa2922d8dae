#pragma once
// What an ablation did to the answer: the target token's log-probability
// before and after, and the top-k of both runs. GUI and CLI show this.
#include <ATen/ATen.h>

#include <vector>

#include "core/models/forward.h"

namespace attnscope {

struct AblationEffect {
  int64_t target = 0;
  double logprob_before = 0;
  double logprob_after = 0;
  double delta() const { return logprob_after - logprob_before; }
  std::vector<TokenProb> top_before;
  std::vector<TokenProb> top_after;
};

// Rows are final-position logits [vocab]. target < 0: the intact run's top-1.
AblationEffect ablation_effect(const at::Tensor& before_row, const at::Tensor& after_row,
                               int64_t target, int k);

}  // namespace attnscope
