#pragma once
// The one mixer interface: attention of every kind, Mamba-1, Mamba-2 and
// DiscreteMamba2 mixers implement `per_head_outputs` and
// `output_projection`; the hook points of MixerCall
// (input, per-head outputs, output), capture of the map and every ablation
// mode are applied here, once for all of them.
//
// A mixer's work, in the order the helpers below serve it:
//   x -> [on_input] -> per-head values V [B, H, L, P] and map M [B, H, L, L]
//     -> uniform_heads (uniform ablation: M_h = U, y_h = U V_h) -> capture(M)
//     -> per-head outputs y [B, H, L, P] (or MixerCall::given_heads)
//     -> head_outputs (zero / mean ablation, on_head_outputs)
//     -> output projection -> [on_output]
#include <ATen/ATen.h>

#include "core/models/model.h"

namespace attnscope::blocks {

// What a mixer may read beside its input.
struct MixerContext {
  at::Tensor token_embeddings;  // the embedded prompt [B, L, d]
};

class Mixer {
 public:
  virtual ~Mixer() = default;
  virtual MixerInfo info() const = 0;
  // x: the mixer's input [B, L, d] (already normed by its layer); returns its output.
  at::Tensor operator()(const at::Tensor& x, MixerCall& call, const MixerContext& context) const;

 protected:
  // The per-head outputs [B, H, L, P] the output projection reads (after any
  // gate and norm), with capture and uniform ablation applied; may be a view.
  virtual at::Tensor per_head_outputs(const at::Tensor& x, MixerCall& call, const MixerContext& context) const = 0;
  // [B, H, L, P] -> the mixer's output [B, L, d].
  virtual at::Tensor output_projection(const at::Tensor& heads) const = 0;
  // Whether this call's map is a function of factors the mixer hands over
  // (MixerCall::factors); otherwise a call that wants factors captures the map.
  virtual bool gives_factors(const MixerCall&) const { return false; }
};

// Whether any head of the call is ablated by the uniform map (its map is then not its factors').
bool any_uniform(const MixerCall& call);

// Uniform causal averaging M[i, j] = 1 / (i + 1) for j <= i, [L, L].
at::Tensor uniform_causal(int64_t length, const at::TensorOptions& options);

// Heads under uniform ablation: their maps (map [B, H, L, L], when defined)
// become U and their outputs U V_h (y and values [B, H, L, P]). Returns
// whether any head was.
bool uniform_heads(const MixerCall& call, at::Tensor& map, at::Tensor& y, const at::Tensor& values);

// Hands the map to the driver when capture is on (float32).
void capture(MixerCall& call, const at::Tensor& map);

// Zero or mean ablation of one head's outputs [..., L, P] (in place; the
// mean is over positions). Uniform ablation is done on the map instead.
void ablate_head_slice(at::Tensor slice, AblationMode mode);

// The per-head outputs [B, H, L, P] as the output projection will read them:
// zero and mean ablation, then the on_head_outputs hook (in place).
void head_outputs(MixerCall& call, at::Tensor& y);

}  // namespace attnscope::blocks
