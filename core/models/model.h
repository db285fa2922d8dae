#pragma once
// The one model interface every family implements (one file per family).
// A model is three steps — embed, one call per layer, logits — so that the
// driver (forward.h) owns the loop: capture streaming, ablation, progress,
// cancellation and residual caching live there once, not in every family.
#include <ATen/ATen.h>

#include "core/models/model_info.h"

#include <string>
#include <vector>

namespace attnscope {

// How a layer's maps are requested.
enum class MixingView {
  Direct,     // M as defined in DESIGN.md
  Effective,  // SSMs: also fold in the causal conv and the output gate
};

// State of one layer call, filled by the driver.
struct LayerCall {
  bool capture = false;                // set `mixing` to [B, heads, L, L] (float32)
  MixingView view = MixingView::Direct;
  int channel_group = 1;               // Mamba-1: average contiguous groups of this many channels
  std::vector<std::pair<int, AblationMode>> ablate;  // (head, mode) of this layer
  at::Tensor token_embeddings;         // the embedded prompt [B, L, d] (for mixers that read it)
  at::Tensor mixing;                   // out
};

class Model {
 public:
  virtual ~Model() = default;
  virtual const ModelInfo& info() const = 0;
  virtual at::Device device() const = 0;
  virtual at::ScalarType dtype() const = 0;
  // [B, L] int64 token ids -> [B, L, d] residual stream.
  virtual at::Tensor embed(const at::Tensor& input_ids) const = 0;
  // One block: residual in, residual out. Applies call.ablate, fills call.mixing on request.
  virtual at::Tensor layer(int index, const at::Tensor& hidden, LayerCall& call) const = 0;
  // Final norm and LM head: [B, L, d] -> [B, L, vocab_size].
  virtual at::Tensor logits(const at::Tensor& hidden) const = 0;
};

}  // namespace attnscope
