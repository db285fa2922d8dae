// attnscope_hybrid (core/models/config/hybrid_config.h): Mamba-2 layers and
// Llama-style attention layers in any order; attention layers may use one of
// the relaxed mixers of the "Deconstructing Attention" study. Every layer
// yields its map M: softmax or relaxed probabilities, the SSD matrix, or the
// identity for the `mlp` mixer.
#include "core/models/blocks/llama_block.h"
#include "core/models/blocks/norms.h"
#include "core/models/families.h"
#include "core/models/config/hybrid_config.h"
#include "core/models/ssm/mamba2_mixer.h"
#include "core/util/error.h"

namespace attnscope {
namespace {

struct HybridLayer {
  bool is_ssm = false;
  at::Tensor ssm_norm;
  ssm::Mamba2Mixer ssm;
  blocks::LlamaBlock attention;
  std::string mixer;
  at::Tensor qk_source;      // rnd_emb_qk: fixed random inputs [max_positions, d]
  at::Tensor qk_source_ids;  // fixed_seq_qk: a fixed token sequence [max_positions]
};

class Hybrid : public Model {
 public:
  Hybrid(const io::Checkpoint& ck, const LoadOptions& options) : options_(options), cfg_(read_hybrid_config(ck.config())) {
    const int64_t d = cfg_.ssm.d_model;
    Weights w(ck, options);
    embed_ = w.get("model.embed_tokens.weight", {cfg_.vocab, d});
    if (cfg_.attention.head_dim > 0) rotary_ = blocks::Rotary(cfg_.attention.head_dim, cfg_.rope_theta);
    int64_t source_length = 0;
    for (size_t l = 0; l < cfg_.layer_types.size(); ++l) {
      const std::string p = "model.layers." + std::to_string(l) + ".";
      HybridLayer layer;
      layer.mixer = cfg_.layer_mixers[l];
      layer.is_ssm = layer.mixer.empty();
      if (layer.is_ssm) {
        layer.ssm_norm = w.get(p + "norm.weight", {d});
        layer.ssm = ssm::Mamba2Mixer::read(w, p + "mixer.", cfg_.ssm);
      } else {
        layer.attention = blocks::LlamaBlock::read(w, p, cfg_.attention);
        // Fixed query/key inputs cover max_position_embeddings positions.
        const bool fixed = layer.mixer == "rnd_emb_qk" || layer.mixer == "fixed_seq_qk";
        if (fixed && cfg_.max_positions <= 0)
          fail_file(ck.config().origin(), layer.mixer + " needs max_position_embeddings (the length of its fixed input)");
        if (layer.mixer == "rnd_emb_qk") layer.qk_source = w.get(p + "self_attn.qk_source", {cfg_.max_positions, d});
        if (layer.mixer == "fixed_seq_qk") layer.qk_source_ids = w.get_token_ids(p + "self_attn.qk_source_ids", {cfg_.max_positions}, cfg_.vocab);
        for (const at::Tensor& t : {layer.qk_source, layer.qk_source_ids})
          if (t.defined()) source_length = source_length ? std::min(source_length, t.size(0)) : t.size(0);
      }
      layers_.push_back(std::move(layer));
    }
    norm_ = w.get("model.norm.weight", {d});
    head_ = !cfg_.tied && w.has("lm_head.weight") ? w.get("lm_head.weight", {cfg_.vocab, d}) : embed_;

    info_.family = "attnscope_hybrid";
    info_.num_layers = static_cast<int>(layers_.size());
    info_.hidden_size = static_cast<int>(d);
    info_.vocab_size = cfg_.vocab;
    // Fixed query/key inputs bound the prompt length.
    info_.max_positions = source_length && (!cfg_.max_positions || source_length < cfg_.max_positions) ? source_length
                                                                                                         : cfg_.max_positions;
    info_.parameter_count = ck.parameter_count();
    info_.layers = hybrid_layer_infos(cfg_);
  }

  const ModelInfo& info() const override { return info_; }
  at::Device device() const override { return options_.device; }
  at::ScalarType dtype() const override { return options_.dtype; }
  at::Tensor embed(const at::Tensor& ids) const override { return at::embedding(embed_, ids); }

  at::Tensor layer(int index, const at::Tensor& x, LayerCall& call) const override {
    const HybridLayer& l = layers_[index];
    if (l.is_ssm) return x + l.ssm.forward(blocks::rms_norm(x, l.ssm_norm, cfg_.ssm.eps), call, cfg_.ssm);
    const int64_t L = x.size(1);
    blocks::MixOptions mix;
    if (l.mixer == "mlp") mix.per_token_only = true;
    if (l.mixer == "approximate") mix.form = blocks::ScoreForm::Taylor;
    if (l.mixer == "non_approximate") mix.form = blocks::ScoreForm::KeyOnlySoftmax;
    if (l.mixer == "rnd_emb_qk") mix.qk_input = l.qk_source.narrow(0, 0, L).unsqueeze(0);
    if (l.mixer == "fixed_seq_qk") mix.qk_input = at::embedding(embed_, l.qk_source_ids.narrow(0, 0, L)).unsqueeze(0);
    if (l.mixer == "static_emb_qk") {
      if (!call.token_embeddings.defined()) throw Error("static_emb_qk needs the embedded prompt");
      mix.qk_input = call.token_embeddings;
    }
    return l.attention.forward(x, call, cfg_.attention, rotary_, mix);
  }

  at::Tensor logits(const at::Tensor& x) const override { return at::linear(blocks::rms_norm(x, norm_, cfg_.ssm.eps), head_); }

 private:
  LoadOptions options_;
  HybridConfig cfg_;
  ModelInfo info_;
  blocks::Rotary rotary_;
  at::Tensor embed_, norm_, head_;
  std::vector<HybridLayer> layers_;
};

}  // namespace

std::unique_ptr<Model> make_hybrid(const io::Checkpoint& checkpoint, const LoadOptions& options) {
  return std::make_unique<Hybrid>(checkpoint, options);
}

}  // namespace attnscope
