#include "core/runtime/memory_budget.h"

#include <algorithm>

#include "core/models/blocks/attention_mixer.h"
#include "core/session/selective_maps.h"
#include "core/util/parallel.h"

namespace attnscope {
double forward_working_bytes(const ModelInfo& info, const ForwardShape& shape) {
  const double L = static_cast<double>(shape.length), d = info.hidden_size, e = shape.element_bytes;
  // Residual stream, the layer's projections and MLP (a generous 16 widths), kept residuals not counted.
  double bytes = 16 * L * d * e;
  double largest_layer = 0;
  // Heads computed a thread each (summaries, Mamba-1 capture) hold their buffers at once, one set per thread.
  const auto threads_for = [](int64_t heads) {
    return static_cast<double>(std::clamp<int64_t>(heads, 1, machine_cores()));
  };
  for (const auto& layer_info : info.layers) {
    double work = 0;
    for (const auto& layer : layer_info.mixers) {
      ForwardShape s = shape;
      const bool factors = shape.factors && map_has_factors(layer, shape.effective_view);
      s.capture = shape.capture || (shape.factors && !factors);
      // Factors: q and k, or C and B, per token and head (head sizes up to 256 counted);
      // Mamba-1's are per token only (C, B and the step's low-rank input, up to 256 of it).
      // Summaries run a head a thread: Mamba-1's each with two column buffers
      // (kSelectiveColumnBlock pairs wide) and a block of 512 rows, the others
      // with a block of 512 rows and its scores.
      if (factors)
        work += layer.kind == MixerKind::Mamba1Channel
                    ? (2.0 * std::max<int64_t>(layer.state_size, 16) + 256) * L * 4 +
                          threads_for(layer.heads) * (2 * session::kSelectiveColumnBlock + 512) * L * 4
                    : 2.0 * layer.heads * L * 256 * 4 + threads_for(layer.heads) * 2 * 512 * L * 4;
      switch (layer.kind) {
      case MixerKind::SoftmaxAttention:
      case MixerKind::RelaxedAttention: {
        // float32 scores and probabilities, plus the captured copy; long
        // prompts without capture, one block of queries at a time (softmax).
        const bool blocked = layer.kind == MixerKind::SoftmaxAttention && !s.capture && L > blocks::kBlockedAttentionFrom;
        work += layer.heads * (blocked ? double(blocks::kAttentionQueryBlock) : L) * L * 4 * (s.capture ? 3 : 2);
        break;
      }
      case MixerKind::Mamba2SSD:
      case MixerKind::DiscreteMamba2:
        // The chunked scan is linear in L; its maps, when captured, are [heads, L, L] with a float64 decay block.
        // Heads replaced by softmax attention (graft) hold their whole L x L scores and probabilities.
        work += (s.capture ? layer.heads * L * L * 4 * 3 : 0) + static_cast<double>(layer.head_kinds.size()) * L * L * 4 * 3;
        break;
      case MixerKind::Mamba1Channel:
        // The scan keeps [L, channels, state] three times (decays, inputs, states); captured maps
        // are [channels / group, L, L] plus the chunked form's two column buffers on each head's thread.
        work += 3 * L * layer.heads * std::max<int64_t>(layer.state_size, 16) * 4 +
               (s.capture ? layer.heads / std::max(1, s.channel_group) * L * L * 4 +
                                threads_for(layer.heads / std::max(1, s.channel_group)) * 2.0 * L *
                                    session::kSelectiveColumnBlock * 4
                          : 0);
        break;
      case MixerKind::Identity:
        work += s.capture ? layer.heads * L * L * 4 : 0;
        break;
      }
    }
    largest_layer = std::max(largest_layer, work);
  }
  const double logits = (shape.every_position ? L : 1) * static_cast<double>(info.vocab_size) * 4 * 2;
  return bytes + largest_layer + logits + shape.widened_matrix_bytes;
}

}  // namespace attnscope
