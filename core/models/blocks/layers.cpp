#include "core/models/blocks/layers.h"

#include "core/util/error.h"

namespace attnscope::blocks {

LayerInfo DecoderLayer::info() const {
  LayerInfo layer;
  for (const auto& slot : mixers) {
    layer.mixers.push_back(slot.mixer->info());
    layer.description += (layer.description.empty() ? "" : " ∥ ") + layer.mixers.back().description;
  }
  if (ffn) layer.description += (layer.description.empty() ? "" : " + ") + ffn->description();
  return layer;
}

at::Tensor DecoderLayer::forward(const at::Tensor& x, LayerCall& call, const MixerContext& context) const {
  if (call.mixers.size() != mixers.size())
    throw Error("internal: a layer call for " + std::to_string(call.mixers.size()) + " mixers reached a layer with " +
                std::to_string(mixers.size()));
  const double r = residual_multiplier;
  const int64_t L = x.size(1);
  // Only the last position is read: the feed-forward (per position) runs there
  // alone, and mixers may compute that position only.
  const at::Tensor layer_in = call.last_position_only ? x.narrow(1, L - 1, 1) : x;
  at::Tensor out = layer_in;
  if (!mixers.empty()) {
    const at::Tensor h = mixer_norm(x);
    at::Tensor sum;
    for (size_t k = 0; k < mixers.size(); ++k) {
      const MixerSlot& slot = mixers[k];
      call.mixers[k].last_position_only = call.last_position_only;
      at::Tensor m = (*slot.mixer)(slot.in_multiplier != 1 ? h * slot.in_multiplier : h, call.mixers[k], context);
      if (m.size(1) != layer_in.size(1)) m = m.narrow(1, m.size(1) - 1, 1);
      if (slot.out_multiplier != 1) m = m * slot.out_multiplier;
      sum = sum.defined() ? sum + m : m;
    }
    out = layer_in + (r != 1 ? sum * r : sum);
  }
  if (!ffn) return out;
  const at::Tensor& ffn_in = parallel_ffn ? layer_in : out;
  const at::Tensor f = (*ffn)(ffn_norm ? (*ffn_norm)(ffn_in) : ffn_in);
  return out + (r != 1 ? f * r : f);
}

}  // namespace attnscope::blocks
