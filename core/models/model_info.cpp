#include "core/models/model_info.h"

#include <algorithm>

#include "core/util/error.h"

namespace attnscope {

std::string mixer_kind_name(MixerKind kind) {
  switch (kind) {
    case MixerKind::SoftmaxAttention: return "softmax_attention";
    case MixerKind::Mamba2SSD: return "mamba2_ssd";
    case MixerKind::Mamba1Channel: return "mamba1_channel";
    case MixerKind::RelaxedAttention: return "relaxed_attention";
    case MixerKind::Identity: return "identity";
    case MixerKind::DiscreteMamba2: return "discrete_mamba2";
  }
  return "unknown";
}

bool is_ssm(MixerKind kind) {
  return kind == MixerKind::Mamba2SSD || kind == MixerKind::Mamba1Channel || kind == MixerKind::DiscreteMamba2;
}

bool map_has_factors(const MixerInfo& m, bool effective_view) {
  const bool form = m.kind == MixerKind::SoftmaxAttention || m.kind == MixerKind::Mamba2SSD ||
                    m.kind == MixerKind::DiscreteMamba2 || (m.kind == MixerKind::Mamba1Channel && !effective_view);
  return form && m.head_kinds.empty();
}

int LayerInfo::mixer_index(const std::string& name) const {
  if (name.empty()) return mixers.size() == 1 ? 0 : -1;
  for (size_t m = 0; m < mixers.size(); ++m)
    if (mixers[m].name == name) return static_cast<int>(m);
  return -1;
}

MixerInfo attention_mixer_info(int64_t heads, int64_t kv_heads) {
  return {"attn", MixerKind::SoftmaxAttention, static_cast<int>(heads),
          kv_heads == heads ? "attention" : "attention (GQA, " + std::to_string(kv_heads) + " kv heads)", 0};
}

MixerInfo mamba2_mixer_info(int64_t heads, int64_t state_size) {
  return {"ssm", MixerKind::Mamba2SSD, static_cast<int>(heads), "mamba2 (SSD)", state_size};
}

namespace {
// "head 4", "heads 1, 2 and 5".
std::string heads_phrase(const std::vector<int>& heads) {
  std::string list;
  for (size_t i = 0; i < heads.size(); ++i) list += (i ? (i + 1 == heads.size() ? " and " : ", ") : "") + std::to_string(heads[i]);
  return "head" + std::string(heads.size() > 1 ? "s " : " ") + list;
}
}  // namespace

std::string mamba2_with_attention_heads_description(const std::vector<int>& heads) {
  return "mamba2 (SSD; " + heads_phrase(heads) + " softmax attention)";
}

std::string attention_with_recurrent_heads_description(int64_t heads, int64_t kv_heads, const std::vector<int>& recurrent) {
  const std::string base = attention_mixer_info(heads, kv_heads).description;
  const std::string note = heads_phrase(recurrent) + " mamba2 (SSD)";
  return base.back() == ')' ? base.substr(0, base.size() - 1) + "; " + note + ")" : base + " (" + note + ")";
}

MixerInfo mamba1_mixer_info(int64_t channels, int64_t state_size) {
  return {"ssm", MixerKind::Mamba1Channel, static_cast<int>(channels), "mamba (per-channel kernels)", state_size};
}

MixerInfo discrete_mamba2_mixer_info(int64_t heads, int64_t state_size) {
  return {"ssm", MixerKind::DiscreteMamba2, static_cast<int>(heads), "discrete mamba2 (SSD, no dt)", state_size};
}

LayerInfo single_mixer_layer(MixerInfo mixer, const std::string& rest) {
  LayerInfo layer;
  layer.description = mixer.description + (rest.empty() ? "" : " + " + rest);
  layer.mixers.push_back(std::move(mixer));
  return layer;
}

int heads_in_view(const MixerInfo& mixer, int channel_group) {
  if (mixer.kind != MixerKind::Mamba1Channel || channel_group <= 1) return mixer.heads;
  if (mixer.heads % channel_group)
    throw Error("a channel group of " + std::to_string(channel_group) + " does not divide the layer's " +
                std::to_string(mixer.heads) + " channels");
  return mixer.heads / channel_group;
}

int overview_channel_group(const ModelInfo& info, int max_heads) {
  int group = 1;
  for (const auto& layer : info.layers)
    for (const auto& mixer : layer.mixers) {
      if (mixer.kind != MixerKind::Mamba1Channel) continue;
      int g = group;
      while (mixer.heads / g > max_heads || mixer.heads % g) ++g;
      group = std::max(group, g);
    }
  return group;
}

std::string mixer_label(const ModelInfo& info, int layer, int mixer) {
  const auto& l = info.layers.at(layer);
  return "layer " + std::to_string(layer) + (l.mixers.size() > 1 ? " (" + l.mixers.at(mixer).name + ")" : "");
}

std::vector<MixerRow> mixer_rows(const ModelInfo& info) {
  std::vector<MixerRow> rows;
  for (size_t l = 0; l < info.layers.size(); ++l) {
    const auto& mixers = info.layers[l].mixers;
    for (size_t m = 0; m < mixers.size(); ++m)
      rows.push_back({static_cast<int>(l), static_cast<int>(m), mixers[m],
                      std::to_string(l) + (mixers.size() > 1 ? "." + mixers[m].name : "")});
  }
  return rows;
}

int row_of(const std::vector<MixerRow>& rows, int layer, int mixer) {
  for (size_t r = 0; r < rows.size(); ++r)
    if (rows[r].layer == layer && rows[r].mixer == mixer) return static_cast<int>(r);
  return -1;
}

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
