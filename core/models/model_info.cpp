#include "core/models/model_info.h"

#include "core/util/error.h"

namespace attnscope {

std::string mixer_kind_name(MixerKind kind) {
  switch (kind) {
    case MixerKind::SoftmaxAttention: return "softmax_attention";
    case MixerKind::Mamba2SSD: return "mamba2_ssd";
    case MixerKind::Mamba1Channel: return "mamba1_channel";
    case MixerKind::RelaxedAttention: return "relaxed_attention";
    case MixerKind::Identity: return "identity";
  }
  return "unknown";
}

LayerInfo attention_layer_info(int64_t heads, int64_t kv_heads) {
  return {MixerKind::SoftmaxAttention, static_cast<int>(heads),
          kv_heads == heads ? "attention" : "attention (GQA, " + std::to_string(kv_heads) + " kv heads)"};
}

LayerInfo mamba2_layer_info(int64_t heads, int64_t state_size) {
  return {MixerKind::Mamba2SSD, static_cast<int>(heads), "mamba2 (SSD)", state_size};
}

LayerInfo mamba1_layer_info(int64_t channels, int64_t state_size) {
  return {MixerKind::Mamba1Channel, static_cast<int>(channels), "mamba (per-channel kernels)", state_size};
}

int heads_in_view(const LayerInfo& layer, int channel_group) {
  if (layer.mixer != MixerKind::Mamba1Channel || channel_group <= 1) return layer.heads;
  if (layer.heads % channel_group)
    throw Error("a channel group of " + std::to_string(channel_group) + " does not divide the layer's " +
                std::to_string(layer.heads) + " channels");
  return layer.heads / channel_group;
}

int overview_channel_group(const ModelInfo& info, int max_heads) {
  int group = 1;
  for (const auto& layer : info.layers) {
    if (layer.mixer != MixerKind::Mamba1Channel) continue;
    int g = group;
    while (layer.heads / g > max_heads || layer.heads % g) ++g;
    group = std::max(group, g);
  }
  return group;
}

bool is_ssm(MixerKind kind) { return kind == MixerKind::Mamba2SSD || kind == MixerKind::Mamba1Channel; }

std::string ablation_mode_name(AblationMode mode) {
  switch (mode) {
    case AblationMode::Zero: return "zero";
    case AblationMode::Mean: return "mean";
    case AblationMode::Uniform: return "uniform";
  }
  return "zero";
}

AblationMode parse_ablation_mode(const std::string& name) {
  if (name == "zero") return AblationMode::Zero;
  if (name == "mean") return AblationMode::Mean;
  if (name == "uniform") return AblationMode::Uniform;
  throw Error("unknown ablation mode '" + name + "' (expected zero, mean or uniform)");
}

}  // namespace attnscope
