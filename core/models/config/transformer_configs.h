#pragma once
// The Transformer families' config.json, read and validated once (no
// LibTorch): the model builders and `inspect` share these, so a config that
// one refuses the other refuses too, with the key named.
#include <string>

#include "core/io/config.h"
#include "core/models/config/rope_config.h"
#include "core/models/model_info.h"

namespace attnscope {

// gpt2: n_embd, n_layer, n_head, n_inner, n_positions (or n_ctx), ...
struct Gpt2Config {
  int64_t hidden = 0, layers = 0, heads = 0, inner = 0, vocab = 0, positions = 0;
  double eps = 1e-5;
  std::string act = "gelu_new";
  bool inverse_layer_scale = false, scale_weights = true, tied = true;
};
Gpt2Config read_gpt2_config(const io::Config& config);

// gpt_neox: fused qkv per head, partial rotary (rotary_pct), parallel residual.
struct NeoxConfig {
  int64_t hidden = 0, layers = 0, heads = 0, inner = 0, vocab = 0, max_positions = 0, rotary_dim = 0;
  double eps = 1e-5, rotary_base = 10000;
  RopeScaling rope_scaling;
  std::string act = "gelu";
  bool parallel = true, bias = true, tied = false;
};
NeoxConfig read_neox_config(const io::Config& config);

// A Llama-style decoder layer (llama, mistral, qwen2 and the attention layers
// of attnscope_hybrid): sizes, norm epsilon, activation and biases.
struct LlamaShape {
  int64_t hidden = 0, inner = 0, heads = 0, kv_heads = 0, head_dim = 0;
  double eps = 1e-6;
  std::string act = "silu";
  bool qkv_bias = false, o_bias = false, mlp_bias = false;
  bool qk_norm = false;  // Qwen3: per-head RMSNorms on q and k before RoPE
};
LlamaShape read_llama_shape(const io::Config& config, const std::string& model_type);

struct LlamaConfig {
  LlamaShape shape;
  int64_t layers = 0, vocab = 0, max_positions = 0;
  double rope_theta = 10000;
  RopeScaling rope_scaling;
  bool tied = false;
};
LlamaConfig read_llama_config(const io::Config& config, const std::string& model_type);

// An activation name the engine implements (gelu, gelu_new, silu, relu, ...).
bool known_activation(const std::string& name);

// The mixer of an attention layer and the description of a one-mixer layer.
LayerInfo attention_layer(int64_t heads, int64_t kv_heads, const std::string& ffn);

// What inspect shows for each family, from the validated configs.
ModelInfo describe_gpt2(const io::Config& config);
ModelInfo describe_neox(const io::Config& config);
ModelInfo describe_llama(const io::Config& config, const std::string& model_type);

}  // namespace attnscope
