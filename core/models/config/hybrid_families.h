#pragma once
// config.json of the families that Transformer-vs-SSM studies open, read and
// validated once (no LibTorch), with each family's own keys and class
// defaults: Llamba (Cartesia), Jamba, Bamba, Granite-4.0-H
// (granitemoehybrid), Nemotron-H, Zamba2 and Falcon-H1. The model builders
// (core/models/<family>.cpp) and `inspect` share these. docs/families.md
// says which source each convention comes from.
#include <optional>
#include <string>
#include <vector>

#include "core/io/config.h"
#include "core/models/config/rope_config.h"
#include "core/models/config/ssm_config.h"
#include "core/models/config/transformer_configs.h"
#include "core/models/model_info.h"

namespace attnscope {

// Attention as the hybrids configure it.
struct AttentionConfig {
  int64_t heads = 0, kv_heads = 0, head_dim = 0;
  int64_t rotary_dim = 0;  // 0: no positional encoding
  double rope_theta = 10000;
  RopeScaling rope_scaling;
  std::optional<double> scale;  // default head_dim^-0.5
  bool bias = false;
};

// Llamba: DiscreteMamba2 mixers (ssm: heads = n_v_heads, groups = n_qk_heads) and a gated MLP.
struct LlambaConfig {
  ssm::SsmConfig ssm;
  int64_t mlp_inner = 0;
  bool mlp_bias = false, lm_head_bias = false;
  std::string act = "silu";
  double final_eps = 1e-5;
};
LlambaConfig read_llamba_config(const io::Config& config);

// Jamba: Mamba-1 or attention layers, MoE or SwiGLU feed-forwards.
struct JambaConfig {
  int64_t hidden = 0, layers = 0, vocab = 0, inner = 0, max_positions = 0;
  int64_t experts = 1, top_k = 2;
  double eps = 1e-6;
  std::string act = "silu";
  bool tied = false;
  std::vector<bool> attention, moe;  // per layer
  AttentionConfig attn;
  ssm::SsmConfig mamba;  // Mamba-1 with weighted dt/B/C norms
};
JambaConfig read_jamba_config(const io::Config& config);

// Bamba and Granite-4.0-H: Mamba-2 (full-width gated norm) or attention layers.
struct BambaConfig {
  int64_t hidden = 0, layers = 0, vocab = 0, inner = 0, max_positions = 0;
  double eps = 1e-5;
  std::string act = "silu";
  bool tied = false;
  std::vector<bool> attention;  // per layer
  AttentionConfig attn;
  ssm::SsmConfig mamba;
  // Granite-4.0-H only:
  int64_t experts = 0, top_k = 0, shared_inner = 0;
  double embedding_multiplier = 1, residual_multiplier = 1, logits_scaling = 1;
};
BambaConfig read_bamba_config(const io::Config& config);
BambaConfig read_granite_hybrid_config(const io::Config& config);

// Nemotron-H: one block per layer from hybrid_override_pattern ('M', '*', '-').
struct NemotronHConfig {
  int64_t hidden = 0, vocab = 0, inner = 0, max_positions = 0;
  double eps = 1e-5;
  bool tied = false, mlp_bias = false;
  std::string pattern;
  AttentionConfig attn;
  ssm::SsmConfig mamba;
};
NemotronHConfig read_nemotron_h_config(const io::Config& config);

// Zamba2: Mamba-2 layers and hybrid layers that run a shared attention block first.
struct Zamba2Config {
  int64_t hidden = 0, layers = 0, vocab = 0, inner = 0, max_positions = 0;
  int64_t mem_blocks = 1, adapter_rank = 0;
  double eps = 1e-5;
  std::string act = "gelu";
  bool tied = true, adapters = false;
  std::vector<int> hybrid_layers;  // the layers running a shared block, in order (p = index)
  AttentionConfig attn;             // over concat(hidden, embeddings): width 2 * hidden
  ssm::SsmConfig mamba;
};
Zamba2Config read_zamba2_config(const io::Config& config);

// Falcon-H1: attention and Mamba-2 side by side in every layer, muP multipliers.
struct FalconH1Config {
  int64_t hidden = 0, layers = 0, vocab = 0, inner = 0, max_positions = 0;
  double eps = 1e-5;
  std::string act = "silu";
  bool tied = false, mlp_bias = false;
  AttentionConfig attn;
  ssm::SsmConfig mamba;
  double embedding_multiplier = 1, lm_head_multiplier = 1, key_multiplier = 1;
  double attention_in_multiplier = 1, attention_out_multiplier = 1, ssm_out_multiplier = 1;
  double mlp_gate_multiplier = 1, mlp_out_multiplier = 1;
};
FalconH1Config read_falcon_h1_config(const io::Config& config);

ModelInfo describe_llamba(const io::Config& config);
ModelInfo describe_jamba(const io::Config& config);
ModelInfo describe_bamba(const io::Config& config);
ModelInfo describe_granite_hybrid(const io::Config& config);
ModelInfo describe_nemotron_h(const io::Config& config);
ModelInfo describe_zamba2(const io::Config& config);
ModelInfo describe_falcon_h1(const io::Config& config);

}  // namespace attnscope
