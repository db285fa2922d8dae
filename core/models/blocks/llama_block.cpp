#include "core/models/blocks/llama_block.h"

#include <cmath>

#include "core/models/blocks/norms.h"
#include "core/util/error.h"

namespace attnscope::blocks {

LlamaBlock LlamaBlock::read(const Weights& w, const std::string& prefix, const LlamaShape& s) {
  auto linear = [&](const std::string& name, int64_t in, int64_t out, bool bias) {
    return Linear{w.get(prefix + name + ".weight", {out, in}), bias ? w.get(prefix + name + ".bias", {out}) : at::Tensor()};
  };
  const int64_t q_width = s.heads * s.head_dim, kv_width = s.kv_heads * s.head_dim;
  return {w.get(prefix + "input_layernorm.weight", {s.hidden}), w.get(prefix + "post_attention_layernorm.weight", {s.hidden}),
          linear("self_attn.q_proj", s.hidden, q_width, s.qkv_bias), linear("self_attn.k_proj", s.hidden, kv_width, s.qkv_bias),
          linear("self_attn.v_proj", s.hidden, kv_width, s.qkv_bias), linear("self_attn.o_proj", q_width, s.hidden, s.o_bias),
          linear("mlp.gate_proj", s.hidden, s.inner, s.mlp_bias), linear("mlp.up_proj", s.hidden, s.inner, s.mlp_bias),
          linear("mlp.down_proj", s.inner, s.hidden, s.mlp_bias)};
}

at::Tensor LlamaBlock::forward(const at::Tensor& x, LayerCall& call, const LlamaShape& s, const Rotary& rotary,
                               const MixOptions& mix) const {
  const int64_t B = x.size(0), L = x.size(1);
  const at::Tensor h = rms_norm(x, attn_norm, s.eps);
  const at::Tensor qk_in = mix.qk_input.defined() ? rms_norm(mix.qk_input, attn_norm, s.eps) : h;
  auto split = [&](const Linear& proj, const at::Tensor& in, int64_t n) {
    at::Tensor t = proj(in);
    return t.view({t.size(0), L, n, s.head_dim}).transpose(1, 2).expand({B, n, L, s.head_dim});
  };
  at::Tensor context;
  if (mix.per_token_only) {
    // Same q, k, v weights, combined within each position: q.k gates v elementwise.
    const int64_t groups = s.heads / s.kv_heads;
    at::Tensor q = split(this->q, qk_in, s.heads), k = split(this->k, qk_in, s.kv_heads), v = split(this->v, h, s.kv_heads);
    if (groups > 1) k = k.repeat_interleave(groups, 1), v = v.repeat_interleave(groups, 1);
    at::Tensor y = at::silu(q * k) * v;  // [B, H, L, d]
    if (call.capture) call.mixing = at::eye(L, x.options().dtype(at::kFloat)).expand({B, s.heads, L, L}).contiguous();
    ablate_head_outputs(y, call);
    context = y.transpose(1, 2).reshape({B, L, s.heads * s.head_dim});
  } else {
    at::Tensor q = rotary.apply(split(this->q, qk_in, s.heads)), k = rotary.apply(split(this->k, qk_in, s.kv_heads));
    context = causal_attention(q, k, split(this->v, h, s.kv_heads), 1.0 / std::sqrt(static_cast<double>(s.head_dim)),
                               call, mix.form);
  }
  const at::Tensor r = x + o(context);
  const at::Tensor m = rms_norm(r, mlp_norm, s.eps);
  return r + down(activation(gate(m), s.act) * up(m));
}

}  // namespace attnscope::blocks
