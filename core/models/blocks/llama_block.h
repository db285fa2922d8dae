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
#include "core/models/config/transformer_configs.h"
#include "core/models/weights.h"

namespace attnscope::blocks {

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
