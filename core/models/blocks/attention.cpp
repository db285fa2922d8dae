#include "core/models/blocks/attention.h"

#include <limits>

namespace attnscope::blocks {

at::Tensor uniform_causal(int64_t length, const at::TensorOptions& options) {
  at::Tensor ones = at::ones({length, length}, options).tril();
  return ones / ones.sum(-1, true);
}

void ablate_head_outputs(at::Tensor& y, const LayerCall& call) {
  for (const auto& [head, mode] : call.ablate) {
    at::Tensor slice = y.select(1, head);  // [B, L, d]
    if (mode == AblationMode::Zero) slice.zero_();
    else if (mode == AblationMode::Mean) slice.copy_(slice.mean(1, true).expand_as(slice));
  }
}

at::Tensor causal_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale,
                            LayerCall& call) {
  const int64_t B = q.size(0), H = q.size(1), L = q.size(2), d = q.size(3);
  const int64_t groups = H / k.size(1);
  // Grouped-query attention: query head h reads kv head h / groups. Done as a
  // reshape [B, H_kv, groups * L, d] so no kv copy is made.
  at::Tensor qg = q.reshape({B, k.size(1), groups * L, d});
  at::Tensor scores = at::matmul(qg.to(at::kFloat), k.to(at::kFloat).transpose(-1, -2)).mul_(scale);
  scores = scores.view({B, H, L, L});
  at::Tensor future = at::ones({L, L}, at::TensorOptions().dtype(at::kBool).device(q.device())).triu(1);
  scores.masked_fill_(future, -std::numeric_limits<float>::infinity());
  at::Tensor probs = at::softmax(scores, -1);
  for (const auto& [head, mode] : call.ablate)
    if (mode == AblationMode::Uniform) probs.select(1, head).copy_(uniform_causal(L, probs.options()));
  if (call.capture) call.mixing = probs;
  at::Tensor y = at::matmul(probs.to(v.scalar_type()).view({B, k.size(1), groups * L, L}), v).view({B, H, L, d});
  ablate_head_outputs(y, call);
  return y.transpose(1, 2).reshape({B, L, H * d});
}

}  // namespace attnscope::blocks
