// GPT-NeoX / Pythia (model_type gpt_neox): fused query_key_value laid out per
// head as [q | k | v] (split here into q, k, v), partial rotary (rotary_pct),
// parallel residual (x + attn(ln1 x) + mlp(ln2 x)) unless
// use_parallel_residual is false. vocab_size is padded past the tokenizer's
// size; logits cover all of it.
#include "core/models/blocks/attention_mixer.h"
#include "core/models/composed_model.h"
#include "core/models/config/transformer_configs.h"
#include "core/models/families.h"

namespace attnscope {

std::unique_ptr<Model> make_gpt_neox(const io::Checkpoint& ck, const LoadOptions& options) {
  const NeoxConfig c = read_neox_config(ck.config());
  const int64_t d = c.hidden, H = c.heads, hd = d / H;
  Weights w(ck, options);
  auto linear = [&](const std::string& name, int64_t in, int64_t out, bool bias) {
    return blocks::read_linear(w, name, in, out, bias);
  };
  EmbeddingSpec embedding{w.get_matrix("gpt_neox.embed_in.weight", {c.vocab, d})};
  const blocks::Rotary rotary(c.rotary_dim, c.rotary_base, c.rope_scaling);
  std::vector<std::unique_ptr<blocks::Layer>> layers;
  for (int64_t l = 0; l < c.layers; ++l) {
    const std::string b = "gpt_neox.layers." + std::to_string(l) + ".";
    const blocks::Linear qkv = linear(b + "attention.query_key_value", d, 3 * d, c.bias);
    // Rows per head [q | k | v]: part 0, 1, 2 of each head, gathered into one projection each.
    auto part = [&](int which) {
      blocks::Linear out{qkv.weight.view({H, 3, hd, d}).select(1, which).reshape({d, d}), {}};
      if (qkv.bias.defined()) out.bias = qkv.bias.view({H, 3, hd}).select(1, which).reshape({d});
      return out;
    };
    blocks::AttentionSpec spec;
    spec.heads = spec.kv_heads = H, spec.head_dim = hd, spec.rotary = rotary;
    auto layer = std::make_unique<blocks::DecoderLayer>();
    layer->mixer_norm = blocks::Norm::layer(w.get(b + "input_layernorm.weight", {d}), w.get(b + "input_layernorm.bias", {d}), c.eps);
    layer->mixers.push_back({std::make_shared<blocks::AttentionMixer>(spec, part(0), part(1), part(2),
                                                                      linear(b + "attention.dense", d, d, c.bias))});
    layer->ffn_norm = blocks::Norm::layer(w.get(b + "post_attention_layernorm.weight", {d}),
                                          w.get(b + "post_attention_layernorm.bias", {d}), c.eps);
    layer->ffn = std::make_shared<blocks::DenseMlp>(linear(b + "mlp.dense_h_to_4h", d, c.inner, true),
                                                    linear(b + "mlp.dense_4h_to_h", c.inner, d, true), c.act);
    layer->parallel_ffn = c.parallel;
    layers.push_back(std::move(layer));
  }
  HeadSpec head{blocks::Norm::layer(w.get("gpt_neox.final_layer_norm.weight", {d}), w.get("gpt_neox.final_layer_norm.bias", {d}), c.eps),
                c.tied ? embedding.table : w.get_matrix("embed_out.weight", {c.vocab, d})};
  ModelInfo info = describe_neox(ck.config());
  info.parameter_count = ck.parameter_count();
  return std::make_unique<ComposedModel>(info, options, std::move(embedding), std::move(layers), std::move(head));
}

}  // namespace attnscope
