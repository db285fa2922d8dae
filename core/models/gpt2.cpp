// GPT-2 (model_type gpt2): learned positions, pre-LayerNorm blocks, Conv1D
// weights stored [in, out] (transposed here once; c_attn split into q, k,
// v), tanh GELU, tied head. Official checkpoints have no "transformer."
// prefix and carry attn.bias mask buffers; distilgpt2 and others have the
// prefix. Both load.
#include <cmath>

#include "core/models/blocks/attention_mixer.h"
#include "core/models/composed_model.h"
#include "core/models/config/transformer_configs.h"
#include "core/models/families.h"

namespace attnscope {
namespace {

// Conv1D keeps [in, out]; at::linear wants [out, in].
blocks::Linear conv1d(const Weights& w, const std::string& name, int64_t in, int64_t out) {
  return {w.get_matrix(name + ".weight", {in, out}).t(), w.get(name + ".bias", {out})};
}

blocks::Linear rows(const blocks::Linear& l, int64_t first, int64_t count) {
  return {l.weight.narrow(0, first, count), l.bias.narrow(0, first, count)};
}

}  // namespace

std::unique_ptr<Model> make_gpt2(const io::Checkpoint& ck, const LoadOptions& options) {
  const Gpt2Config c = read_gpt2_config(ck.config());
  const int64_t d = c.hidden, hd = d / c.heads;
  Weights w(ck, options);
  const std::string p = w.find_prefix({"", "transformer."}, "wte.weight");
  EmbeddingSpec embedding{w.get_matrix(p + "wte.weight", {c.vocab, d}), w.get(p + "wpe.weight", {c.positions, d})};
  std::vector<std::unique_ptr<blocks::Layer>> layers;
  for (int64_t l = 0; l < c.layers; ++l) {
    const std::string b = p + "h." + std::to_string(l) + ".";
    blocks::AttentionSpec spec;
    spec.heads = spec.kv_heads = c.heads, spec.head_dim = hd;
    spec.scale = (c.scale_weights ? 1.0 / std::sqrt(static_cast<double>(hd)) : 1.0) / (c.inverse_layer_scale ? l + 1 : 1);
    const blocks::Linear qkv = conv1d(w, b + "attn.c_attn", d, 3 * d);
    auto layer = std::make_unique<blocks::DecoderLayer>();
    layer->mixer_norm = blocks::Norm::layer(w.get(b + "ln_1.weight", {d}), w.get(b + "ln_1.bias", {d}), c.eps);
    layer->mixers.push_back({std::make_shared<blocks::AttentionMixer>(spec, rows(qkv, 0, d), rows(qkv, d, d), rows(qkv, 2 * d, d),
                                                                      conv1d(w, b + "attn.c_proj", d, d))});
    layer->ffn_norm = blocks::Norm::layer(w.get(b + "ln_2.weight", {d}), w.get(b + "ln_2.bias", {d}), c.eps);
    layer->ffn = std::make_shared<blocks::DenseMlp>(conv1d(w, b + "mlp.c_fc", d, c.inner), conv1d(w, b + "mlp.c_proj", c.inner, d), c.act);
    layers.push_back(std::move(layer));
  }
  HeadSpec head{blocks::Norm::layer(w.get(p + "ln_f.weight", {d}), w.get(p + "ln_f.bias", {d}), c.eps),
                w.has("lm_head.weight") && !c.tied ? w.get_matrix("lm_head.weight", {c.vocab, d}) : embedding.table};
  ModelInfo info = describe_gpt2(ck.config());
  info.parameter_count = ck.parameter_count();
  return std::make_unique<ComposedModel>(info, options, std::move(embedding), std::move(layers), std::move(head));
}

}  // namespace attnscope
