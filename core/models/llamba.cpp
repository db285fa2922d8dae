// Llamba (Cartesia; model_type llamba, or Cartesia's config without one):
// x + DiscreteMamba2(input_layernorm x), then x + gated MLP
// (post_attention_layernorm x); both norms use eps 1e-5, the final norm
// norm_epsilon. A head's map is its SSD matrix with no dt factor (the G&A
// study's map adds D on the diagonal; here y = M x + D x as everywhere).
#include "core/models/blocks/read_blocks.h"
#include "core/models/blocks/ssm_mixers.h"
#include "core/models/composed_model.h"
#include "core/models/families.h"

namespace attnscope {

std::unique_ptr<Model> make_llamba(const io::Checkpoint& ck, const LoadOptions& options) {
  const LlambaConfig c = read_llamba_config(ck.config());
  const auto& s = c.ssm;
  Weights w(ck, options);
  EmbeddingSpec embedding{w.get_matrix("backbone.embedding.weight", {s.vocab, s.d_model})};
  std::vector<std::unique_ptr<blocks::Layer>> layers;
  for (int64_t l = 0; l < s.layers; ++l) {
    const std::string b = "backbone.layers." + std::to_string(l) + ".";
    auto layer = std::make_unique<blocks::DecoderLayer>();
    layer->mixer_norm = blocks::Norm::rms(w.get(b + "input_layernorm.weight", {s.d_model}), s.eps);
    layer->mixers.push_back({std::make_shared<blocks::DiscreteMamba2Mixer>(w, b + "mixer.", s)});
    layer->ffn_norm = blocks::Norm::rms(w.get(b + "post_attention_layernorm.weight", {s.d_model}), s.eps);
    layer->ffn = blocks::read_gated_mlp(w, b + "mlp.", s.d_model, c.mlp_inner, c.act, c.mlp_bias);
    layers.push_back(std::move(layer));
  }
  HeadSpec head{blocks::Norm::rms(w.get("backbone.final_layernorm.weight", {s.d_model}), c.final_eps),
                s.tied ? embedding.table : w.get_matrix("lm_head.weight", {s.vocab, s.d_model})};
  if (!s.tied && c.lm_head_bias) head.bias = w.get("lm_head.bias", {s.vocab});
  ModelInfo info = describe_llamba(ck.config());
  info.parameter_count = ck.parameter_count();
  return std::make_unique<ComposedModel>(info, options, std::move(embedding), std::move(layers), std::move(head));
}

}  // namespace attnscope
