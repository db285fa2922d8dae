#pragma once
// Causal token mixing over per-head q, k, v with grouped-query attention:
// softmax attention, and the relaxed variants of the "Deconstructing
// Attention" study (Xue, Moosavi, Aletras 2025) that attnscope_hybrid offers.
// The map M is computed once and both applied and captured (never a second
// pass); LayerCall's ablations act on it or on the per-head outputs. Returns
// the context [B, L, H * head_dim], the input of the output projection.
#include <ATen/ATen.h>

#include <string>

#include "core/models/model.h"

namespace attnscope::blocks {

// How the scores of one head become its map M (docs/metrics.md describes each).
enum class ScoreForm {
  Softmax,        // softmax(q.k * scale) over j <= i
  Taylor,         // second-order Taylor expansion of exp, normalised per row (as Based)
  KeyOnlySoftmax, // per-token scalar s_j = q_j.k_j * scale, cumulative softmax over j <= i (ignores the query)
};

// q: [B, H, L, d]; k, v: [B, H_kv, L, d] with H a multiple of H_kv.
at::Tensor causal_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale,
                            LayerCall& call, ScoreForm form = ScoreForm::Softmax);

// Uniform causal averaging M[i, j] = 1 / (i + 1) for j <= i, [L, L].
at::Tensor uniform_causal(int64_t length, const at::TensorOptions& options);

// Applies zero / mean ablation to per-head outputs y [B, H, L, d] in place
// (uniform mode is the mixer's business and is skipped here).
void ablate_head_outputs(at::Tensor& y, const LayerCall& call);

}  // namespace attnscope::blocks
