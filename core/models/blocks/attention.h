#pragma once
// Causal softmax attention over per-head q, k, v, with grouped-query
// attention, capture of the post-softmax maps (already computed, never a
// second pass) and the head ablations of LayerCall. Returns the context
// [B, L, H * head_dim], the input of the output projection.
#include <ATen/ATen.h>

#include "core/models/model.h"

namespace attnscope::blocks {

// q: [B, H, L, d]; k, v: [B, H_kv, L, d] with H a multiple of H_kv.
at::Tensor causal_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale,
                            LayerCall& call);

// Uniform causal averaging M[i, j] = 1 / (i + 1) for j <= i, [L, L].
at::Tensor uniform_causal(int64_t length, const at::TensorOptions& options);

// Applies zero / mean ablation to per-head outputs y [B, H, L, d] in place
// (uniform mode is the mixer's business and is skipped here).
void ablate_head_outputs(at::Tensor& y, const LayerCall& call);

}  // namespace attnscope::blocks
