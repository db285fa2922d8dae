#include "core/models/blocks/attention.h"

#include <limits>

namespace attnscope::blocks {
namespace {

at::Tensor future_mask(int64_t L, const at::Device& device) {
  return at::ones({L, L}, at::TensorOptions().dtype(at::kBool).device(device)).triu(1);
}

// [B, H, L, L] float32 maps. Grouped-query attention: query head h reads kv
// head h / groups, done as a reshape [B, H_kv, groups * L, d] so no kv copy is made.
at::Tensor mixing_maps(const at::Tensor& q, const at::Tensor& k, double scale, ScoreForm form) {
  const int64_t B = q.size(0), H = q.size(1), L = q.size(2), d = q.size(3), Hkv = k.size(1), groups = H / Hkv;
  const at::Tensor future = future_mask(L, q.device());
  if (form == ScoreForm::KeyOnlySoftmax) {
    at::Tensor kh = groups == 1 ? k : k.repeat_interleave(groups, 1);
    at::Tensor s = (q.to(at::kFloat) * kh.to(at::kFloat)).sum(-1) * scale;  // [B, H, L]: one score per key
    return at::softmax(s.unsqueeze(-2).expand({B, H, L, L}).masked_fill(future, -std::numeric_limits<float>::infinity()), -1);
  }
  at::Tensor scores = at::matmul(q.reshape({B, Hkv, groups * L, d}).to(at::kFloat), k.to(at::kFloat).transpose(-1, -2));
  // In place where autograd allows it (matmul's backward does not need its
  // output): at L = 2048 each extra copy of the scores is H x 16 MiB.
  scores = scores.mul_(scale).view({B, H, L, L});
  if (form == ScoreForm::Taylor) {
    // 1 + s + s^2 / 2 > 0 for every s: a valid normalised kernel without exp.
    at::Tensor a = (1 + scores + scores * scores * 0.5).masked_fill(future, 0.0);
    return a / a.sum(-1, true);
  }
  return at::softmax(scores.masked_fill_(future, -std::numeric_limits<float>::infinity()), -1);
}

}  // namespace

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
                            LayerCall& call, ScoreForm form) {
  const int64_t B = q.size(0), H = q.size(1), L = q.size(2), d = q.size(3), Hkv = k.size(1);
  at::Tensor probs = mixing_maps(q, k, scale, form);
  for (const auto& [head, mode] : call.ablate)
    if (mode == AblationMode::Uniform) probs.select(1, head).copy_(uniform_causal(L, probs.options()));
  if (call.capture) call.mixing = probs;
  at::Tensor y = at::matmul(probs.to(v.scalar_type()).view({B, Hkv, (H / Hkv) * L, L}), v).view({B, H, L, d});
  ablate_head_outputs(y, call);
  return y.transpose(1, 2).reshape({B, L, H * d});
}

}  // namespace attnscope::blocks
