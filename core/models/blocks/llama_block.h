#pragma once
// The Llama decoder block (RMSNorm, RoPE attention with grouped-query heads,
// SwiGLU MLP), shared by the llama family and the attention layers of
// attnscope_hybrid, which may take queries and keys from another input or
// mix tokens differently (core/models/hybrid_mixer.h).
#include <ATen/ATen.h>

#include <string>

#include "core/models/blocks/attention.h"
#include "core/models/blocks/linear.h"
#include "core/models/blocks/rotary.h"
#include "core/models/weights.h"

namespace attnscope::blocks {

struct LlamaShape {
  int64_t hidden = 0, inner = 0, heads = 0, kv_heads = 0, head_dim = 0;
  double eps = 1e-6;
  std::string act = "silu";
  bool qkv_bias = false, o_bias = false, mlp_bias = false;
};

// Sizes and options from a Llama-style config.json (hidden_size,
// num_attention_heads, num_key_value_heads, head_dim, intermediate_size,
// rms_norm_eps, hidden_act, attention_bias, mlp_bias).
LlamaShape read_llama_shape(const io::Config& config, const std::string& model_type);

// How the attention part mixes tokens; the defaults are plain Llama.
struct MixOptions {
  ScoreForm form = ScoreForm::Softmax;
  bool per_token_only = false;  // no mixing: context = silu(q * k) * v at each position, M = I
  at::Tensor qk_input;          // [B or 1, L, d]: queries and keys from this instead of the block input
};

struct LlamaBlock {
  at::Tensor attn_norm, mlp_norm;
  Linear q, k, v, o, gate, up, down;

  // Reads `<prefix>input_layernorm`, `self_attn.*`, `post_attention_layernorm`, `mlp.*`.
  static LlamaBlock read(const Weights& w, const std::string& prefix, const LlamaShape& shape);
  at::Tensor forward(const at::Tensor& x, LayerCall& call, const LlamaShape& shape, const Rotary& rotary,
                     const MixOptions& mix = {}) const;
};

}  // namespace attnscope::blocks
