// Mamba-2 (model_type mamba2, or mamba_ssm's own config with ssm_cfg.layer
// "Mamba2"): blocks x + mixer(rms_norm(x)) with the mixer of
// core/models/ssm/mamba2_mixer.h. A head's map is its SSD matrix M.
#include "core/models/blocks/norms.h"
#include "core/models/families.h"
#include "core/models/ssm/mamba2_mixer.h"
#include "core/util/error.h"

namespace attnscope {
namespace {

struct Mamba2Block {
  at::Tensor norm;
  ssm::Mamba2Mixer mixer;
};

class Mamba2 : public Model {
 public:
  Mamba2(const io::Checkpoint& ck, const LoadOptions& options) : options_(options), cfg_(ssm::read_mamba2_config(ck.config())) {
    Weights w(ck, options);
    const auto& s = cfg_;
    embed_ = w.get_any({"backbone.embeddings.weight", "backbone.embedding.weight"}, {s.vocab, s.d_model});
    for (int64_t l = 0; l < s.layers; ++l) {
      const std::string b = "backbone.layers." + std::to_string(l) + ".";
      blocks_.push_back({w.get(b + "norm.weight", {s.d_model}), ssm::Mamba2Mixer::read(w, b + "mixer.", s)});
    }
    norm_f_ = w.get("backbone.norm_f.weight", {s.d_model});
    head_ = !s.tied && w.has("lm_head.weight") ? w.get("lm_head.weight", {s.vocab, s.d_model}) : embed_;

    info_.family = "mamba2";
    info_.num_layers = static_cast<int>(s.layers);
    info_.hidden_size = static_cast<int>(s.d_model);
    info_.vocab_size = s.vocab;
    info_.max_positions = 0;
    info_.parameter_count = ck.parameter_count();
    for (int64_t l = 0; l < s.layers; ++l) info_.layers.push_back(mamba2_layer_info(s.heads, s.d_state));
  }

  const ModelInfo& info() const override { return info_; }
  at::Device device() const override { return options_.device; }
  at::ScalarType dtype() const override { return options_.dtype; }
  at::Tensor embed(const at::Tensor& ids) const override { return at::embedding(embed_, ids); }

  at::Tensor layer(int index, const at::Tensor& x, LayerCall& call) const override {
    const Mamba2Block& b = blocks_[index];
    return x + b.mixer.forward(blocks::rms_norm(x, b.norm, cfg_.eps), call, cfg_);
  }

  at::Tensor logits(const at::Tensor& x) const override { return at::linear(blocks::rms_norm(x, norm_f_, cfg_.eps), head_); }

 private:
  LoadOptions options_;
  ssm::SsmConfig cfg_;
  ModelInfo info_;
  at::Tensor embed_, norm_f_, head_;
  std::vector<Mamba2Block> blocks_;
};

}  // namespace

std::unique_ptr<Model> make_mamba2(const io::Checkpoint& checkpoint, const LoadOptions& options) {
  return std::make_unique<Mamba2>(checkpoint, options);
}

}  // namespace attnscope
