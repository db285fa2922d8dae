#include "core/ablation/ablation_effect.h"

namespace attnscope {

AblationEffect ablation_effect(const at::Tensor& before_row, const at::Tensor& after_row,
                               int64_t target, int k) {
  AblationEffect e;
  e.top_before = top_k(before_row, k);
  e.top_after = top_k(after_row, k);
  e.target = target >= 0 ? target : e.top_before.front().id;
  e.logprob_before = token_logprob(before_row, e.target);
  e.logprob_after = token_logprob(after_row, e.target);
  return e;
}

}  // namespace attnscope
