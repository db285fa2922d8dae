// Nemotron-H (model_type nemotron_h, NVIDIA's backbone.* layout): one block
// per layer from hybrid_override_pattern, each x + block(norm x): 'M' a
// Mamba-2 mixer (gated norm per B/C group), '*' attention without positions,
// '-' a relu^2 MLP that mixes no tokens (the layer has no map).
#include "core/models/blocks/read_blocks.h"
#include "core/models/blocks/ssm_mixers.h"
#include "core/models/composed_model.h"
#include "core/models/families.h"

namespace attnscope {

std::unique_ptr<Model> make_nemotron_h(const io::Checkpoint& ck, const LoadOptions& options) {
  const NemotronHConfig c = read_nemotron_h_config(ck.config());
  const int64_t d = c.hidden;
  Weights w(ck, options);
  EmbeddingSpec embedding{w.get_matrix("backbone.embeddings.weight", {c.vocab, d})};
  std::vector<std::unique_ptr<blocks::Layer>> layers;
  for (size_t l = 0; l < c.pattern.size(); ++l) {
    const std::string b = "backbone.layers." + std::to_string(l) + ".", m = b + "mixer.";
    auto layer = std::make_unique<blocks::DecoderLayer>();
    const blocks::Norm norm = blocks::Norm::rms(w.get(b + "norm.weight", {d}), c.eps);
    layer->mixer_norm = norm;
    if (c.pattern[l] == 'M') {
      layer->mixers.push_back({std::make_shared<blocks::Mamba2Mixer>(w, m, c.mamba)});
    } else if (c.pattern[l] == '*') {
      layer->mixers.push_back({blocks::read_attention(w, m, blocks::attention_spec(c.attn), d, d, c.attn.bias, c.attn.bias)});
    } else {
      layer->ffn_norm = norm;
      layer->ffn = std::make_shared<blocks::Relu2Mlp>(blocks::read_linear(w, m + "up_proj", d, c.inner, c.mlp_bias),
                                                      blocks::read_linear(w, m + "down_proj", c.inner, d, c.mlp_bias));
    }
    layers.push_back(std::move(layer));
  }
  HeadSpec head{blocks::Norm::rms(w.get("backbone.norm_f.weight", {d}), c.eps),
                blocks::read_head_weight(w, "lm_head.weight", c.tied, embedding.table, c.vocab, d)};
  ModelInfo info = describe_nemotron_h(ck.config());
  info.parameter_count = ck.parameter_count();
  return std::make_unique<ComposedModel>(info, options, std::move(embedding), std::move(layers), std::move(head));
}

}  // namespace attnscope
