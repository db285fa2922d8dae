// Llama 2/3 and look-alikes (model_type llama, mistral, qwen2, qwen3):
// RMSNorm, RoPE with rope_theta and rope_scaling (linear, llama3),
// grouped-query attention, SwiGLU MLP, tied or untied head; q/k/v biases
// when the config says attention_bias (qwen2 always has them, never on
// o_proj); Qwen3's per-head q_norm / k_norm before RoPE.
#include "core/models/blocks/read_blocks.h"
#include "core/models/composed_model.h"
#include "core/models/families.h"

namespace attnscope {

std::unique_ptr<Model> make_llama(const io::Checkpoint& ck, const LoadOptions& options) {
  const std::string type = ck.model_type();
  const LlamaConfig c = read_llama_config(ck.config(), type);
  const LlamaShape& s = c.shape;
  const int64_t d = s.hidden;
  Weights w(ck, options);
  EmbeddingSpec embedding{w.get_matrix("model.embed_tokens.weight", {c.vocab, d})};
  std::vector<std::unique_ptr<blocks::Layer>> layers;
  for (int64_t l = 0; l < c.layers; ++l) {
    const std::string b = "model.layers." + std::to_string(l) + ".";
    blocks::AttentionSpec spec;
    spec.heads = s.heads, spec.kv_heads = s.kv_heads, spec.head_dim = s.head_dim;
    spec.rotary = blocks::Rotary(s.head_dim, c.rope_theta, c.rope_scaling);
    if (s.qk_norm) {
      spec.q_norm = blocks::Norm::rms(w.get(b + "self_attn.q_norm.weight", {s.head_dim}), s.eps);
      spec.k_norm = blocks::Norm::rms(w.get(b + "self_attn.k_norm.weight", {s.head_dim}), s.eps);
    }
    auto layer = std::make_unique<blocks::DecoderLayer>();
    layer->mixer_norm = blocks::Norm::rms(w.get(b + "input_layernorm.weight", {d}), s.eps);
    layer->mixers.push_back({blocks::read_attention(w, b + "self_attn.", spec, d, d, s.qkv_bias, s.o_bias)});
    layer->ffn_norm = blocks::Norm::rms(w.get(b + "post_attention_layernorm.weight", {d}), s.eps);
    layer->ffn = blocks::read_gated_mlp(w, b + "mlp.", d, s.inner, s.act, s.mlp_bias);
    layers.push_back(std::move(layer));
  }
  HeadSpec head{blocks::Norm::rms(w.get("model.norm.weight", {d}), s.eps),
                blocks::read_head_weight(w, "lm_head.weight", c.tied, embedding.table, c.vocab, d)};
  ModelInfo info = describe_llama(ck.config(), type);
  info.parameter_count = ck.parameter_count();
  return std::make_unique<ComposedModel>(info, options, std::move(embedding), std::move(layers), std::move(head));
}

}  // namespace attnscope
