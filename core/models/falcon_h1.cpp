// Falcon-H1 (model_type falcon_h1): every layer runs a Mamba-2 mixer and
// attention side by side on the same normed input,
//   x += ssm_out * mamba(n) + attention_out * attn(attention_in * n),
// then x += mlp(pre_ff_layernorm x) with the MLP's gate and output
// multipliers; embeddings and logits carry their muP multipliers, the Mamba
// mixer its input multiplier and per-block ssm_multipliers, attention keys
// the key multiplier. Two mixers per layer: ssm (mixing.<L>) and attn.
#include "core/models/blocks/read_blocks.h"
#include "core/models/blocks/ssm_mixers.h"
#include "core/models/composed_model.h"
#include "core/models/families.h"

namespace attnscope {

std::unique_ptr<Model> make_falcon_h1(const io::Checkpoint& ck, const LoadOptions& options) {
  const FalconH1Config c = read_falcon_h1_config(ck.config());
  const int64_t d = c.hidden;
  Weights w(ck, options);
  EmbeddingSpec embedding{w.get_matrix("model.embed_tokens.weight", {c.vocab, d}), {}, c.embedding_multiplier};
  std::vector<std::unique_ptr<blocks::Layer>> layers;
  for (int64_t l = 0; l < c.layers; ++l) {
    const std::string b = "model.layers." + std::to_string(l) + ".";
    blocks::AttentionSpec spec = blocks::attention_spec(c.attn);
    spec.key_multiplier = c.key_multiplier;
    auto layer = std::make_unique<blocks::DecoderLayer>();
    layer->mixer_norm = blocks::Norm::rms(w.get(b + "input_layernorm.weight", {d}), c.eps);
    layer->mixers.push_back({std::make_shared<blocks::Mamba2Mixer>(w, b + "mamba.", c.mamba), 1.0, c.ssm_out_multiplier});
    layer->mixers.push_back({blocks::read_attention(w, b + "self_attn.", spec, d, d, c.attn.bias, c.attn.bias),
                             c.attention_in_multiplier, c.attention_out_multiplier});
    layer->ffn_norm = blocks::Norm::rms(w.get(b + "pre_ff_layernorm.weight", {d}), c.eps);
    auto mlp = blocks::read_gated_mlp(w, b + "feed_forward.", d, c.inner, c.act, c.mlp_bias);
    mlp->gate_multiplier = c.mlp_gate_multiplier, mlp->out_multiplier = c.mlp_out_multiplier;
    layer->ffn = mlp;
    layers.push_back(std::move(layer));
  }
  HeadSpec head{blocks::Norm::rms(w.get("model.final_layernorm.weight", {d}), c.eps),
                blocks::read_head_weight(w, "lm_head.weight", c.tied, embedding.table, c.vocab, d), {}, c.lm_head_multiplier};
  ModelInfo info = describe_falcon_h1(ck.config());
  info.parameter_count = ck.parameter_count();
  return std::make_unique<ComposedModel>(info, options, std::move(embedding), std::move(layers), std::move(head));
}

}  // namespace attnscope
