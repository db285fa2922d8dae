#include "core/models/blocks/feed_forward.h"

namespace attnscope::blocks {

at::Tensor GatedMlp::operator()(const at::Tensor& x) const {
  at::Tensor g = gate(x);
  if (gate_multiplier != 1) g = g * gate_multiplier;
  at::Tensor out = down(activation(g, act) * up(x));
  return out_multiplier != 1 ? out * out_multiplier : out;
}

at::Tensor FusedGatedMlp::operator()(const at::Tensor& x) const {
  at::Tensor h = gate_up(x);
  if (adapter) h = h + at::linear(at::linear(x, adapter->down), adapter->up);
  const int64_t half = h.size(-1) / 2;
  return down(activation(h.narrow(-1, 0, half), act) * h.narrow(-1, half, half));
}

at::Tensor SparseMoe::operator()(const at::Tensor& x) const {
  const int64_t experts_n = static_cast<int64_t>(experts.size());
  const at::Tensor logits = router(x).to(at::kFloat);  // [B, L, E]
  at::Tensor weights, chosen;
  if (routing == Routing::SoftmaxThenTopK) {
    std::tie(weights, chosen) = at::topk(at::softmax(logits, -1), top_k, -1);
  } else {
    std::tie(weights, chosen) = at::topk(logits, top_k, -1);
    weights = at::softmax(weights, -1);
  }
  // Dense routing weights [B, L, E] (zero for experts not chosen): each expert runs once on every token.
  const at::Tensor dense = at::zeros({x.size(0), x.size(1), experts_n}, weights.options()).scatter_(-1, chosen, weights);
  at::Tensor out = at::zeros_like(x);
  for (int64_t e = 0; e < experts_n; ++e) {
    const at::Tensor w = dense.select(-1, e).unsqueeze(-1);
    if (!w.gt(0).any().item<bool>()) continue;
    out = out + (*experts[e])(x) * w.to(x.scalar_type());
  }
  return shared ? out + (*shared)(x) : out;
}

std::string SparseMoe::description() const {
  return "MoE (" + std::to_string(experts.size()) + " experts, top " + std::to_string(top_k) + ")" +
         (shared ? " + shared MLP" : "");
}

}  // namespace attnscope::blocks
