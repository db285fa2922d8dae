// attnscope_hybrid (core/models/config/hybrid_config.h): Mamba-2 layers and
// Llama-style attention layers in any order; attention layers may use one of
// the relaxed mixers of the "Deconstructing Attention" study. Every layer
// yields its map M: softmax or relaxed probabilities, the SSD matrix, or the
// identity for the `mlp` mixer; Mamba-2 layers may compute some heads by
// softmax attention (ssm_attention_heads).
#include "core/models/blocks/read_blocks.h"
#include "core/models/blocks/ssm_mixers.h"
#include "core/models/composed_model.h"
#include "core/models/config/hybrid_config.h"
#include "core/models/families.h"
#include "core/util/error.h"

namespace attnscope {
namespace {

blocks::ScoreForm form_of(const std::string& mixer) {
  if (mixer == "mlp") return blocks::ScoreForm::PerTokenOnly;
  if (mixer == "approximate") return blocks::ScoreForm::Taylor;
  if (mixer == "non_approximate") return blocks::ScoreForm::KeyOnlySoftmax;
  return blocks::ScoreForm::Softmax;
}

}  // namespace

std::unique_ptr<Model> make_hybrid(const io::Checkpoint& ck, const LoadOptions& options) {
  const HybridConfig c = read_hybrid_config(ck.config());
  const int64_t d = c.ssm.d_model;
  const LlamaShape& s = c.attention;
  Weights w(ck, options);
  EmbeddingSpec embedding{w.get_matrix("model.embed_tokens.weight", {c.vocab, d})};
  int64_t source_length = 0;  // fixed query/key inputs bound the prompt length
  std::vector<std::unique_ptr<blocks::Layer>> layers;
  for (size_t l = 0; l < c.layer_types.size(); ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    const std::string& mixer = c.layer_mixers[l];
    auto layer = std::make_unique<blocks::DecoderLayer>();
    if (mixer.empty()) {
      layer->mixer_norm = blocks::Norm::rms(w.get(p + "norm.weight", {d}), c.ssm.eps);
      const blocks::AttentionHeadsSpec attention{c.ssm_attention_heads[l], c.ssm_attention_head_dim};
      layer->mixers.push_back({std::make_shared<blocks::Mamba2Mixer>(w, p + "mixer.", c.ssm, attention)});
      layers.push_back(std::move(layer));
      continue;
    }
    layer->mixer_norm = blocks::Norm::rms(w.get(p + "input_layernorm.weight", {d}), s.eps);
    blocks::AttentionSpec spec;
    spec.heads = s.heads, spec.kv_heads = s.kv_heads, spec.head_dim = s.head_dim;
    spec.rotary = blocks::Rotary(s.head_dim, c.rope_theta);
    spec.form = form_of(mixer);
    auto& src = spec.qk_source;
    src.norm = layer->mixer_norm;  // queries and keys from another input go through the same norm
    const bool fixed = mixer == "rnd_emb_qk" || mixer == "fixed_seq_qk";
    if (fixed && c.max_positions <= 0)
      fail_file(ck.config().origin(), mixer + " needs max_position_embeddings (the length of its fixed input)");
    if (mixer == "rnd_emb_qk") {
      src.kind = blocks::QkSource::Kind::Fixed;
      src.fixed = w.get(p + "self_attn.qk_source", {c.max_positions, d});
    } else if (mixer == "fixed_seq_qk") {
      src.kind = blocks::QkSource::Kind::FixedIds;
      src.fixed = w.get_token_ids(p + "self_attn.qk_source_ids", {c.max_positions}, c.vocab);
      src.embedding = embedding.table;
    } else if (mixer == "static_emb_qk") {
      src.kind = blocks::QkSource::Kind::TokenEmbeddings;
    }
    if (src.fixed.defined()) source_length = source_length ? std::min(source_length, src.fixed.size(0)) : src.fixed.size(0);
    for (int h : c.attention_ssm_heads[l]) {
      const std::string r = p + "self_attn.ssm_heads." + std::to_string(h) + ".";
      spec.recurrent_heads.push_back({h, blocks::read_linear(w, r + "dt_proj", d, 1, false), w.get(r + "dt_bias", {1}),
                                      w.get(r + "A_log", {1}), w.get(r + "D", {1})});
    }
    layer->mixers.push_back({blocks::read_attention(w, p + "self_attn.", spec, d, d, s.qkv_bias, s.o_bias)});
    layer->ffn_norm = blocks::Norm::rms(w.get(p + "post_attention_layernorm.weight", {d}), s.eps);
    layer->ffn = blocks::read_gated_mlp(w, p + "mlp.", d, s.inner, s.act, s.mlp_bias);
    layers.push_back(std::move(layer));
  }
  HeadSpec head{blocks::Norm::rms(w.get("model.norm.weight", {d}), c.ssm.eps),
                !c.tied && w.has("lm_head.weight") ? w.get_matrix("lm_head.weight", {c.vocab, d}) : embedding.table};
  ModelInfo info = describe_hybrid(ck.config());
  info.parameter_count = ck.parameter_count();
  if (source_length && (!info.max_positions || source_length < info.max_positions)) info.max_positions = source_length;
  return std::make_unique<ComposedModel>(info, options, std::move(embedding), std::move(layers), std::move(head));
}

}  // namespace attnscope
