#pragma once
// Layers as compositions of blocks. Most families' layers are one
// DecoderLayer:
//   h = mixer_norm(x)
//   m = sum_k out_k * mixer_k(in_k * h)            (zero, one or more mixers)
//   x' = x + r * m, then x' + r * ffn(ffn_norm(x'))  (sequential), or
//   x' = x + r * m + r * ffn(ffn_norm(x))           (parallel, GPT-NeoX)
// with r the residual multiplier (Granite). A layer with no mixer is a
// feed-forward layer (Nemotron-H's '-'); one with no ffn a pure mixer layer
// (Mamba). Families whose layers do something else (Zamba2's shared block)
// implement Layer themselves.
#include <ATen/ATen.h>

#include <memory>
#include <optional>
#include <vector>

#include "core/models/blocks/feed_forward.h"
#include "core/models/blocks/mixer.h"
#include "core/models/blocks/norms.h"

namespace attnscope::blocks {

class Layer {
 public:
  virtual ~Layer() = default;
  virtual LayerInfo info() const = 0;
  virtual at::Tensor forward(const at::Tensor& x, LayerCall& call, const MixerContext& context) const = 0;
};

struct MixerSlot {
  std::shared_ptr<Mixer> mixer;  // shared_ptr: a block invoked at several depths is one object
  double in_multiplier = 1, out_multiplier = 1;
};

class DecoderLayer : public Layer {
 public:
  Norm mixer_norm;
  std::vector<MixerSlot> mixers;
  std::optional<Norm> ffn_norm;
  std::shared_ptr<FeedForward> ffn;
  bool parallel_ffn = false;
  double residual_multiplier = 1;

  LayerInfo info() const override;
  at::Tensor forward(const at::Tensor& x, LayerCall& call, const MixerContext& context) const override;
};

}  // namespace attnscope::blocks
