#pragma once
// The one model interface every family implements (one file per family).
// A model is three steps — embed, one call per layer, logits — so that the
// driver (forward.h) owns the loop: capture streaming, ablation, progress,
// cancellation and residual caching live there once, not in every family.
#include <ATen/ATen.h>

#include "core/models/model_info.h"

#include <functional>
#include <string>
#include <vector>

namespace attnscope {

// How a layer's maps are requested.
enum class MixingView {
  Direct,     // M as defined in docs/architecture.md
  Effective,  // SSMs: also fold in the causal conv and the output gate
};

// What the driver asks of one mixer in one layer call, and the hook points
// every mixer offers (core/models/blocks/mixer.h applies them, once for all
// mixers): its input, each head's output before the output projection, and
// its output. Capture and every ablation mode are built on these; patching
// and head replacement attach their own functions.
// What a mixer's map is a function of (core/session/map_factors.h), from
// which any head or tile of it is recomputed exactly without the model.
namespace mixing {
class SoftmaxRowSink;
}

struct MixingFactors {
  enum class Form { None, Softmax, Ssd, Selective } form = Form::None;
  at::Tensor q, k;  // softmax: [B, H, L, d] and [B, H_kv, L, d], after RoPE and norms
  double scale = 1;  // softmax: scores are scale * q . k
  at::Tensor C, B, dt, A, weight;  // ssd: as mixing::SsdInputs (weight undefined: dt)
  // selective (Mamba-1): C, B [B, L, N], A [D, N] and the step's low-rank
  // input [B, L, R] with dt_proj's weight [D, R] and bias [D]:
  // dt = softplus(dt_input dt_weight^T + dt_bias); heads of channels_per_head channels.
  at::Tensor dt_input, dt_weight, dt_bias;
  int channels_per_head = 1;
};

struct MixerCall {
  bool capture = false;                // set `mixing` to [B, heads, L, L] (float32)
  // Set `factors` instead where the mixer's map is a function of per-token
  // factors (softmax attention, Mamba-2 / Llamba SSD); a mixer whose map is
  // not captures it as with `capture`.
  bool want_factors = false;
  MixingFactors factors;               // out
  // With want_factors: sees the rows of a map the mixer computes a block of
  // queries at a time anyway (a long prompt, a batch of one), so its
  // summaries need not be computed again from the factors. Not used where
  // the map is made whole (mixing/softmax_block_summary.h).
  mixing::SoftmaxRowSink* attention_rows = nullptr;
  MixingView view = MixingView::Direct;
  int channel_group = 1;               // Mamba-1: average contiguous groups of this many channels
  std::vector<std::pair<int, AblationMode>> ablate;  // (head, mode) of this mixer
  std::function<void(at::Tensor& input)> on_input;         // [B, L, d], may be replaced
  std::function<void(at::Tensor& heads)> on_head_outputs;  // [B, H, L, P] before the output projection
  std::function<void(at::Tensor& output)> on_output;       // [B, L, d], may be replaced
  // Per-head outputs [B, H, L, P] to use instead of computing them (a sweep
  // resumed at this layer reuses the intact run's: same input, same heads);
  // ablation and on_head_outputs still apply. Not with capture or uniform ablation.
  at::Tensor given_heads;
  // Only the last position's output will be read (LayerCall::last_position_only).
  bool last_position_only = false;
  at::Tensor mixing;                   // out

  // Whether the mixer may compute its last position only: nothing watches
  // or changes its heads or output, nothing is captured, and no ablation
  // needs every position (mean, uniform). Factors are taken from every
  // position before a mixer narrows to its last (attention_mixer.cpp).
  bool only_last_query() const {
    if (!last_position_only || capture || on_input || on_head_outputs || on_output) return false;
    for (const auto& ablated : ablate)
      if (ablated.second != AblationMode::Zero) return false;
    return true;
  }
};

// State of one layer call, filled by the driver: one MixerCall per mixer of
// the layer (LayerInfo::mixers, same order).
struct LayerCall {
  std::vector<MixerCall> mixers;
  at::Tensor token_embeddings;  // the embedded prompt [B, L, d] (for mixers that read it)
  // Only the last position's output will be read (the final layer of a run
  // that keeps the last logits only): a layer may return [B, 1, d] and skip
  // its feed-forward at the other positions.
  bool last_position_only = false;

  LayerCall() = default;
  explicit LayerCall(const LayerInfo& layer) : mixers(layer.mixers.size()) {}
  // The call of the mixer `name` names (empty: the only one); throws attnscope::Error when absent.
  MixerCall& mixer(const LayerInfo& layer, const std::string& name);
};

class Model {
 public:
  virtual ~Model() = default;
  virtual const ModelInfo& info() const = 0;
  virtual at::Device device() const = 0;
  virtual at::ScalarType dtype() const = 0;
  // [B, L] int64 token ids -> [B, L, d] residual stream.
  virtual at::Tensor embed(const at::Tensor& input_ids) const = 0;
  // One layer: residual in, residual out. Applies each mixer call's ablations
  // and hooks, and fills its `mixing` on request.
  virtual at::Tensor layer(int index, const at::Tensor& hidden, LayerCall& call) const = 0;
  // Final norm and LM head: [B, L, d] -> [B, L, vocab_size].
  virtual at::Tensor logits(const at::Tensor& hidden) const = 0;
  // Bytes of the largest weight matrix kept narrower than the run dtype
  // (Weights::get_matrix) once widened for use: memory a forward holds
  // beyond its activations. 0 when every weight is in the run dtype.
  virtual double widened_matrix_bytes() const { return 0; }
};

}  // namespace attnscope
