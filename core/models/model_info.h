#pragma once
// What a model is, without LibTorch: its layers' mixers and head counts, and
// the ablation vocabulary. Config readers (core/models/config) produce these
// from config.json alone, so `inspect` and the fuzzers need no LibTorch.
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope {

// What kind of token mixing a layer performs; the matrix M of DESIGN.md.
enum class MixerKind {
  SoftmaxAttention,  // post-softmax probabilities, rows sum to 1
  Mamba2SSD,         // per-head SSD matrix, y = M x + D x
  Mamba1Channel,     // per-channel implied kernel (each channel is a "head")
  RelaxedAttention,  // attnscope_hybrid variants: whatever linear map the layer applies
  Identity,          // no token mixing (the `mlp` mixer): M = I
};
std::string mixer_kind_name(MixerKind kind);  // "softmax_attention", "mamba2_ssd", ...
bool is_ssm(MixerKind kind);

struct LayerInfo {
  MixerKind mixer = MixerKind::SoftmaxAttention;
  int heads = 0;            // number of maps this layer yields (channels for Mamba-1)
  std::string description;  // e.g. "attention (GQA 8 q / 2 kv heads)", "mamba2 (SSD)"
  int64_t state_size = 0;   // SSM state per head or channel (memory estimates)
};

// Maps (and ablatable heads) a layer yields when Mamba-1 channels are
// averaged in contiguous groups of `channel_group`; other layers ignore it.
// Throws attnscope::Error when the group does not divide the channels.
int heads_in_view(const LayerInfo& layer, int channel_group);

// The LayerInfo of a softmax attention layer: "attention" or "attention (GQA, 2 kv heads)".
LayerInfo attention_layer_info(int64_t heads, int64_t kv_heads);

// The LayerInfo of a Mamba-2 layer (one SSD map per head) and of a Mamba-1
// layer (one implied kernel per channel).
LayerInfo mamba2_layer_info(int64_t heads, int64_t state_size = 0);
LayerInfo mamba1_layer_info(int64_t channels, int64_t state_size = 0);

struct ModelInfo;
// The smallest channel group that leaves every Mamba-1 layer at most
// `max_heads` maps: the overview default (1 for models without Mamba-1 layers).
int overview_channel_group(const ModelInfo& info, int max_heads = 64);

struct ModelInfo {
  std::string family;  // config model_type
  int num_layers = 0;
  int hidden_size = 0;
  int64_t vocab_size = 0;
  int64_t max_positions = 0;  // 0: no limit (SSMs, RoPE models without a stated limit)
  std::vector<LayerInfo> layers;
  int64_t parameter_count = 0;
};

enum class AblationMode {
  Zero,     // head's slice of the output projection's input set to 0
  Mean,     // that slice replaced by its mean over positions
  Uniform,  // the head's mixing replaced by uniform causal averaging
};
std::string ablation_mode_name(AblationMode mode);          // "zero", "mean", "uniform"
AblationMode parse_ablation_mode(const std::string& name);  // throws attnscope::Error

struct HeadAblation {
  int layer = 0;
  int head = 0;
  AblationMode mode = AblationMode::Zero;
};

}  // namespace attnscope
