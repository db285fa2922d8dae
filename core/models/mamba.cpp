// The mamba_ssm backbone families: Mamba-1 (model_type mamba, falcon_mamba,
// or mamba_ssm's own config) and Mamba-2 (model_type mamba2, or ssm_cfg.layer
// "Mamba2"). Blocks x + mixer(rms_norm(x)); the mixers are in
// core/models/blocks/ssm_mixers.h. Falcon-Mamba RMS-normalises dt, B and C
// without a weight. A Mamba-1 head is one channel of d_inner, its map the
// implied kernel M_d (a call's channel_group averages contiguous channels for
// an overview); a Mamba-2 head's map is its SSD matrix M.
#include <functional>

#include "core/models/blocks/ssm_mixers.h"
#include "core/models/composed_model.h"
#include "core/models/config/ssm_config.h"
#include "core/models/families.h"

namespace attnscope {
namespace {

using MixerReader = std::function<std::shared_ptr<blocks::Mixer>(Weights& w, const std::string& prefix)>;

std::unique_ptr<Model> make_backbone(const io::Checkpoint& ck, const LoadOptions& options, const ssm::SsmConfig& s,
                                     ModelInfo info, const MixerReader& read_mixer) {
  Weights w(ck, options);
  EmbeddingSpec embedding{w.get_matrix(w.has("backbone.embeddings.weight") ? "backbone.embeddings.weight" : "backbone.embedding.weight", {s.vocab, s.d_model})};
  std::vector<std::unique_ptr<blocks::Layer>> layers;
  for (int64_t l = 0; l < s.layers; ++l) {
    const std::string b = "backbone.layers." + std::to_string(l) + ".";
    auto layer = std::make_unique<blocks::DecoderLayer>();
    layer->mixer_norm = blocks::Norm::rms(w.get(b + "norm.weight", {s.d_model}), s.eps);
    layer->mixers.push_back({read_mixer(w, b + "mixer.")});
    layers.push_back(std::move(layer));
  }
  HeadSpec head{blocks::Norm::rms(w.get("backbone.norm_f.weight", {s.d_model}), s.eps),
                !s.tied && w.has("lm_head.weight") ? w.get_matrix("lm_head.weight", {s.vocab, s.d_model}) : embedding.table};
  info.parameter_count = ck.parameter_count();
  return std::make_unique<ComposedModel>(info, options, std::move(embedding), std::move(layers), std::move(head));
}

MixerReader mamba1_mixers(const ssm::SsmConfig& s) {
  return [s](Weights& w, const std::string& prefix) { return std::make_shared<blocks::Mamba1Mixer>(w, prefix, s); };
}

}  // namespace

std::unique_ptr<Model> make_mamba(const io::Checkpoint& ck, const LoadOptions& options) {
  const auto s = ssm::read_mamba1_config(ck.config());
  return make_backbone(ck, options, s, ssm::describe_mamba(ck.config()), mamba1_mixers(s));
}

std::unique_ptr<Model> make_falcon_mamba(const io::Checkpoint& ck, const LoadOptions& options) {
  const auto s = ssm::read_falcon_mamba_config(ck.config());
  return make_backbone(ck, options, s, ssm::describe_falcon_mamba(ck.config()), mamba1_mixers(s));
}

std::unique_ptr<Model> make_mamba2(const io::Checkpoint& ck, const LoadOptions& options) {
  const auto s = ssm::read_mamba2_config(ck.config());
  return make_backbone(ck, options, s, ssm::describe_mamba2(ck.config()), [s](Weights& w, const std::string& prefix) {
    return std::make_shared<blocks::Mamba2Mixer>(w, prefix, s);
  });
}

}  // namespace attnscope
