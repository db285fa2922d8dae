#pragma once
// What a model is, without LibTorch: its layers, each a composition of zero
// or more token mixers with their head counts, and the ablation vocabulary.
// Config readers (core/models/config) produce these from config.json alone,
// so `inspect` and the fuzzers need no LibTorch.
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace attnscope {

// What kind of token mixing a mixer performs; the matrix M of docs/architecture.md.
enum class MixerKind {
  SoftmaxAttention,  // post-softmax probabilities, rows sum to 1
  Mamba2SSD,         // per-head SSD matrix, y = M x + D x
  Mamba1Channel,     // per-channel implied kernel (each channel is a "head")
  RelaxedAttention,  // attnscope_hybrid variants: whatever linear map the layer applies
  Identity,          // no token mixing (the `mlp` mixer): M = I
  DiscreteMamba2,    // Llamba: SSD form with its own per-token decay and no dt factor, y = M x + D x
};
std::string mixer_kind_name(MixerKind kind);  // "softmax_attention", "mamba2_ssd", ...
bool is_ssm(MixerKind kind);

// One token mixer of a layer. Its `name` addresses it: "attn" for the
// attention-like mixers, "ssm" for the state-space ones; a layer never has
// two mixers of one name.
struct MixerInfo {
  std::string name;
  MixerKind kind = MixerKind::SoftmaxAttention;
  int heads = 0;            // maps it yields (channels for Mamba-1)
  std::string description;  // e.g. "attention (GQA, 2 kv heads)", "mamba2 (SSD)"
  int64_t state_size = 0;   // SSM state per head or channel (memory estimates)
  // Heads of another kind than the mixer's (head replacement: attnscope_hybrid's
  // ssm_attention_heads and attention_ssm_heads): head -> its kind.
  std::map<int, MixerKind> head_kinds;
};
// Whether the mixer's maps are a function of per-token factors it hands over
// (softmax attention, Mamba-2 and Llamba SSD, with every head of its kind;
// Mamba-1 in the direct view, the effective one folding in its conv and gate):
// sessions then keep the factors instead of the maps (core/session/map_factors.h).
bool map_has_factors(const MixerInfo& mixer, bool effective_view = false);


// A layer: its mixers in the order they run (none for a layer that mixes no
// tokens, e.g. Nemotron-H's MLP layers), and what else it holds.
struct LayerInfo {
  std::vector<MixerInfo> mixers;
  std::string description;  // "attention + SwiGLU MLP", "mamba2 + MoE (4 experts, top 2)", ...

  // The mixer of that name, or, for an empty name, the layer's only mixer;
  // -1 when there is none (or the name is empty and the layer has several).
  int mixer_index(const std::string& name) const;
};

// One-mixer layers of the common kinds.
MixerInfo attention_mixer_info(int64_t heads, int64_t kv_heads);
MixerInfo mamba2_mixer_info(int64_t heads, int64_t state_size = 0);
// "mamba2 (SSD; head 4 softmax attention)": a Mamba-2 mixer some of whose heads are attention.
std::string mamba2_with_attention_heads_description(const std::vector<int>& heads);
// "attention (head 1 mamba2 (SSD))", "attention (GQA, 2 kv heads; heads 0 and 3 mamba2 (SSD))".
std::string attention_with_recurrent_heads_description(int64_t heads, int64_t kv_heads, const std::vector<int>& recurrent);
MixerInfo mamba1_mixer_info(int64_t channels, int64_t state_size = 0);
MixerInfo discrete_mamba2_mixer_info(int64_t heads, int64_t state_size = 0);
LayerInfo single_mixer_layer(MixerInfo mixer, const std::string& rest = "");

// Maps (and ablatable heads) a mixer yields when Mamba-1 channels are
// averaged in contiguous groups of `channel_group`; other mixers ignore it.
// Throws attnscope::Error when the group does not divide the channels.
int heads_in_view(const MixerInfo& mixer, int channel_group);

struct ModelInfo;
// The smallest channel group that leaves every Mamba-1 mixer at most
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

// "layer 3 (attn)", or "layer 3" for a layer with one mixer.
std::string mixer_label(const ModelInfo& info, int layer, int mixer);

// Every mixer of the model in layer order, one row each: the rows of the
// head grid, of metric tables and scans, and the map groups of a session.
// For models whose every layer has one mixer, row r is layer r.
struct MixerRow {
  int layer = 0, mixer = 0;
  MixerInfo info;
  std::string label;  // "3", or "3.attn" when layer 3 has several mixers
};
std::vector<MixerRow> mixer_rows(const ModelInfo& info);
// The row of (layer, mixer), or -1.
int row_of(const std::vector<MixerRow>& rows, int layer, int mixer);

enum class AblationMode {
  Zero,     // head's slice of the output projection's input set to 0
  Mean,     // that slice replaced by its mean over positions
  Uniform,  // the head's mixing replaced by uniform causal averaging
};
std::string ablation_mode_name(AblationMode mode);          // "zero", "mean", "uniform"
AblationMode parse_ablation_mode(const std::string& name);  // throws attnscope::Error

// A head to ablate: layer, head, mode, and which mixer of the layer (by
// name; empty for a layer's only mixer), so `{3, 5, AblationMode::Zero}`
// still names head 5 of a one-mixer layer 3.
struct HeadAblation {
  int layer = 0;
  int head = 0;
  AblationMode mode = AblationMode::Zero;
  std::string mixer;  // empty: the layer's only mixer

  HeadAblation() = default;
  HeadAblation(int layer, int head, AblationMode mode = AblationMode::Zero, std::string mixer = {})
      : layer(layer), head(head), mode(mode), mixer(std::move(mixer)) {}
};

}  // namespace attnscope
