#pragma once
// attnscope_hybrid: the project's own config for models that mix layer
// kinds. Keys (beside the Llama ones for attention layers: hidden_size,
// num_attention_heads, num_key_value_heads, head_dim, intermediate_size,
// rms_norm_eps, rope_theta, max_position_embeddings):
//   layer_types        ["mamba2", "attention", ...], one per layer
//   attention_mixer    standard | mlp | approximate | non_approximate |
//                      rnd_emb_qk | fixed_seq_qk | static_emb_qk
//   mixer_layout       uniform (every attention layer uses the mixer) or
//                      alternate (odd layers the mixer, even layers standard)
//   ssm_state_size, ssm_num_heads, ssm_head_dim, ssm_n_groups,
//   ssm_conv_kernel    the Mamba-2 layers
//   ssm_use_conv_bias (true), ssm_use_bias (false), ssm_norm_before_gate
//   (false), ssm_gate_eps (rms_norm_eps), ssm_time_step_limit ([low, high],
//                      high null for none): as mamba2's own keys, so a
//                      Mamba-2 checkpoint converts without change
//   ssm_attention_heads {"<layer>": [head, ...]}: heads of Mamba-2 layers
//                      computed by softmax attention (head replacement,
//                      core/train/graft.h), with queries and keys of size
//   ssm_attention_head_dim (the SSM state size)
//   attention_ssm_heads {"<layer>": [head, ...]}: heads of standard attention
//                      layers computed by a Mamba-2 (SSD) scan over their own
//                      q, k, v (retrieval-aware distillation, core/train/distill.h)
// Tensor names: model.embed_tokens, model.layers.N.{input_layernorm,
// self_attn.*, post_attention_layernorm, mlp.*} for attention layers,
// model.layers.N.{norm, mixer.*} (Mamba-2 names) for mamba2 layers,
// model.norm, lm_head (absent when tied). rnd_emb_qk layers also carry
// self_attn.qk_source [max_positions, hidden]; fixed_seq_qk layers
// self_attn.qk_source_ids [max_positions] (int64). Attention heads of a
// Mamba-2 layer: model.layers.N.mixer.attention_heads.H.{q_proj,k_proj}.weight
// and .log_gain (the head's output is exp(log_gain) softmax(q k) x). SSD heads
// of an attention layer: model.layers.N.self_attn.ssm_heads.H.{dt_proj.weight
// [1, hidden], dt_bias, A_log, D [1]}.
#include <string>
#include <vector>

#include "core/io/config.h"
#include "core/models/config/ssm_config.h"
#include "core/models/config/transformer_configs.h"
#include "core/models/model_info.h"

namespace attnscope {

struct HybridConfig {
  std::vector<std::string> layer_types;
  std::vector<std::string> layer_mixers;  // per layer: the attention mixer, or "" for mamba2 layers
  std::vector<std::vector<int>> ssm_attention_heads;  // per layer: Mamba-2 heads computed by attention (sorted)
  int64_t ssm_attention_head_dim = 0;
  std::vector<std::vector<int>> attention_ssm_heads;  // per layer: attention heads computed by an SSD scan (sorted)
  LlamaShape attention;
  ssm::SsmConfig ssm;
  int64_t vocab = 0, max_positions = 0;
  double rope_theta = 10000;
  bool tied = true;
};

extern const std::vector<std::string> kAttentionMixers;  // the names above, standard first

HybridConfig read_hybrid_config(const io::Config& config);
// What each layer yields: kind, heads and a description naming the mixer.
std::vector<LayerInfo> hybrid_layer_infos(const HybridConfig& config);
ModelInfo describe_hybrid(const io::Config& config);

}  // namespace attnscope
