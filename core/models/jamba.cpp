// Jamba (model_type jamba): attention layers (every attn_layer_period-th,
// from attn_layer_offset; no positional encoding, GQA) and Mamba-1 layers
// whose dt, B and C pass weighted RMSNorms; each layer's feed-forward is a
// top-k MoE of SwiGLU experts (router softmax, top k kept as they are) or a
// SwiGLU MLP. Both kinds: x + mixer(input_layernorm x), x + ffn(pre_ff_layernorm x).
#include "core/models/blocks/read_blocks.h"
#include "core/models/blocks/ssm_mixers.h"
#include "core/models/composed_model.h"
#include "core/models/families.h"

namespace attnscope {

std::unique_ptr<Model> make_jamba(const io::Checkpoint& ck, const LoadOptions& options) {
  const JambaConfig c = read_jamba_config(ck.config());
  const int64_t d = c.hidden;
  Weights w(ck, options);
  EmbeddingSpec embedding{w.get_matrix("model.embed_tokens.weight", {c.vocab, d})};
  std::vector<std::unique_ptr<blocks::Layer>> layers;
  for (int64_t l = 0; l < c.layers; ++l) {
    const std::string b = "model.layers." + std::to_string(l) + ".";
    auto layer = std::make_unique<blocks::DecoderLayer>();
    layer->mixer_norm = blocks::Norm::rms(w.get(b + "input_layernorm.weight", {d}), c.eps);
    if (c.attention[l])
      layer->mixers.push_back({blocks::read_attention(w, b + "self_attn.", blocks::attention_spec(c.attn), d, d, false, false)});
    else
      layer->mixers.push_back({std::make_shared<blocks::Mamba1Mixer>(w, b + "mamba.", c.mamba)});
    layer->ffn_norm = blocks::Norm::rms(w.get(b + "pre_ff_layernorm.weight", {d}), c.eps);
    if (c.moe[l]) {
      auto moe = std::make_shared<blocks::SparseMoe>();
      moe->router = blocks::read_linear(w, b + "feed_forward.router", d, c.experts, false);
      for (int64_t e = 0; e < c.experts; ++e)
        moe->experts.push_back(blocks::read_gated_mlp(w, b + "feed_forward.experts." + std::to_string(e) + ".", d, c.inner, c.act, false));
      moe->top_k = static_cast<int>(c.top_k);
      moe->routing = blocks::SparseMoe::Routing::SoftmaxThenTopK;
      layer->ffn = moe;
    } else {
      layer->ffn = blocks::read_gated_mlp(w, b + "feed_forward.", d, c.inner, c.act, false);
    }
    layers.push_back(std::move(layer));
  }
  HeadSpec head{blocks::Norm::rms(w.get("model.final_layernorm.weight", {d}), c.eps),
                blocks::read_head_weight(w, "lm_head.weight", c.tied, embedding.table, c.vocab, d)};
  ModelInfo info = describe_jamba(ck.config());
  info.parameter_count = ck.parameter_count();
  return std::make_unique<ComposedModel>(info, options, std::move(embedding), std::move(layers), std::move(head));
}

}  // namespace attnscope
