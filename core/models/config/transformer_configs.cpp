#include "core/models/config/transformer_configs.h"

#include "core/util/error.h"

namespace attnscope {
namespace {

void require_divides(const io::Config& c, int64_t whole, const std::string& whole_key, int64_t part,
                     const std::string& part_key) {
  if (whole % part)
    fail_file(c.origin(), whole_key + " (" + std::to_string(whole) + ") is not a multiple of " + part_key + " (" +
                              std::to_string(part) + ")");
}

std::string read_activation(const io::Config& c, const char* key, const char* fallback) {
  const std::string act = c.get_string(key, fallback);
  if (!known_activation(act)) fail_file(c.origin(), std::string(key) + " '" + act + "' is not supported");
  return act;
}

// Every layer alike: one attention mixer and an MLP.
ModelInfo transformer_info(const std::string& family, int64_t layers, int64_t hidden, int64_t vocab,
                           int64_t max_positions, int64_t heads, int64_t kv_heads, const std::string& ffn) {
  ModelInfo info;
  info.family = family;
  info.num_layers = static_cast<int>(layers);
  info.hidden_size = static_cast<int>(hidden);
  info.vocab_size = vocab;
  info.max_positions = max_positions;
  info.layers.assign(layers, attention_layer(heads, kv_heads, ffn));
  return info;
}

}  // namespace

LayerInfo attention_layer(int64_t heads, int64_t kv_heads, const std::string& ffn) {
  return single_mixer_layer(attention_mixer_info(heads, kv_heads), ffn);
}

bool known_activation(const std::string& name) {
  return name == "gelu" || name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast" ||
         name == "silu" || name == "swish" || name == "relu" || name == "relu2";
}

Gpt2Config read_gpt2_config(const io::Config& c) {
  Gpt2Config g;
  g.hidden = c.get_size("n_embd");
  g.layers = c.get_size("n_layer");
  g.heads = c.get_size("n_head");
  require_divides(c, g.hidden, "n_embd", g.heads, "n_head");
  g.inner = c.get_size("n_inner", 4 * g.hidden, io::Config::kMaxSize);
  g.vocab = c.get_size("vocab_size");
  g.positions = c.get_size("n_positions", c.get_size("n_ctx", 1024, io::Config::kMaxSize), io::Config::kMaxSize);
  g.eps = c.get_positive("layer_norm_epsilon", 1e-5);
  g.act = read_activation(c, "activation_function", "gelu_new");
  g.inverse_layer_scale = c.get_bool("scale_attn_by_inverse_layer_idx", false);
  g.scale_weights = c.get_bool("scale_attn_weights", true);
  g.tied = c.get_bool("tie_word_embeddings", true);
  return g;
}

NeoxConfig read_neox_config(const io::Config& c) {
  NeoxConfig n;
  n.hidden = c.get_size("hidden_size");
  n.layers = c.get_size("num_hidden_layers");
  n.heads = c.get_size("num_attention_heads");
  require_divides(c, n.hidden, "hidden_size", n.heads, "num_attention_heads");
  n.inner = c.get_size("intermediate_size", 4 * n.hidden, io::Config::kMaxSize);
  n.vocab = c.get_size("vocab_size");
  n.max_positions = c.get_size("max_position_embeddings", 0, io::Config::kMaxSize);
  n.eps = c.get_positive("layer_norm_eps", 1e-5);
  n.act = read_activation(c, "hidden_act", "gelu");
  n.parallel = c.get_bool("use_parallel_residual", true);
  n.bias = c.get_bool("attention_bias", true);
  n.tied = c.get_bool("tie_word_embeddings", false);
  const int64_t head_dim = n.hidden / n.heads;
  const double pct = c.get_double_in("rotary_pct", 1.0, 0.0, 1.0);
  n.rotary_dim = static_cast<int64_t>(head_dim * pct);
  if (n.rotary_dim % 2)
    fail_file(c.origin(), "rotary_pct " + std::to_string(pct) + " gives " + std::to_string(n.rotary_dim) +
                              " rotary dimensions per head; rotary embeddings need an even number");
  n.rotary_base = read_rope_theta(c, "rotary_emb_base", read_rope_theta(c, "rope_theta", 10000));
  n.rope_scaling = read_rope_scaling(c);
  return n;
}

LlamaShape read_llama_shape(const io::Config& c, const std::string& type) {
  LlamaShape s;
  s.hidden = c.get_size("hidden_size");
  s.heads = c.get_size("num_attention_heads");
  s.kv_heads = c.get_size("num_key_value_heads", s.heads, io::Config::kMaxSize);
  require_divides(c, s.heads, "num_attention_heads", s.kv_heads, "num_key_value_heads");
  if (!c.has("head_dim")) require_divides(c, s.hidden, "hidden_size", s.heads, "num_attention_heads");
  s.head_dim = c.get_size("head_dim", s.hidden / s.heads, io::Config::kMaxSize);
  if (s.head_dim % 2) fail_file(c.origin(), "head_dim " + std::to_string(s.head_dim) + " is odd; RoPE needs it even");
  s.inner = c.get_size("intermediate_size");
  s.eps = c.get_positive("rms_norm_eps", 1e-6);
  s.act = read_activation(c, "hidden_act", "silu");
  // Qwen2's attention always has q/k/v biases and never an o_proj bias,
  // whatever attention_bias says; Llama and Mistral put it on all four.
  const bool qwen2 = type == "qwen2";
  s.qk_norm = type == "qwen3";
  s.qkv_bias = qwen2 || c.get_bool("attention_bias", false);
  s.o_bias = !qwen2 && c.get_bool("attention_bias", false);
  s.mlp_bias = c.get_bool("mlp_bias", false);
  return s;
}

LlamaConfig read_llama_config(const io::Config& c, const std::string& type) {
  LlamaConfig l;
  l.shape = read_llama_shape(c, type);
  l.layers = c.get_size("num_hidden_layers");
  l.vocab = c.get_size("vocab_size");
  l.max_positions = c.get_size("max_position_embeddings", 0, io::Config::kMaxSize);
  // Mistral-style sliding windows are not implemented: prompts stay within
  // the window, where full causal attention is exactly what the model does.
  const bool window_on = type == "mistral" || c.get_bool("use_sliding_window", false);
  if (window_on && c.has("sliding_window")) {
    const int64_t window = c.get_size("sliding_window");
    if (!l.max_positions || window < l.max_positions) l.max_positions = window;
  }
  l.rope_theta = read_rope_theta(c, "rope_theta", 10000);
  l.rope_scaling = read_rope_scaling(c);
  l.tied = c.get_bool("tie_word_embeddings", false);
  return l;
}

ModelInfo describe_gpt2(const io::Config& c) {
  const Gpt2Config g = read_gpt2_config(c);
  return transformer_info("gpt2", g.layers, g.hidden, g.vocab, g.positions, g.heads, g.heads, "MLP");
}

ModelInfo describe_neox(const io::Config& c) {
  const NeoxConfig n = read_neox_config(c);
  return transformer_info("gpt_neox", n.layers, n.hidden, n.vocab, n.max_positions, n.heads, n.heads, "MLP");
}

ModelInfo describe_llama(const io::Config& c, const std::string& type) {
  const LlamaConfig l = read_llama_config(c, type);
  return transformer_info(type, l.layers, l.shape.hidden, l.vocab, l.max_positions, l.shape.heads, l.shape.kv_heads,
                          l.shape.act == "silu" ? "SwiGLU MLP" : "gated MLP");
}

}  // namespace attnscope
