// GPT-2 (model_type gpt2): learned positions, pre-LayerNorm blocks, Conv1D
// weights stored [in, out] (transposed here once), tanh GELU, tied head.
// Official checkpoints have no "transformer." prefix and carry attn.bias mask
// buffers; distilgpt2 and others have the prefix. Both load.
#include <cmath>

#include "core/models/blocks/attention.h"
#include "core/models/blocks/linear.h"
#include "core/models/blocks/norms.h"
#include "core/models/config/transformer_configs.h"
#include "core/models/families.h"
#include "core/util/error.h"

namespace attnscope {
namespace {

struct Gpt2Block {
  at::Tensor ln1_w, ln1_b, ln2_w, ln2_b;
  blocks::Linear qkv, out, fc, proj;
};

class Gpt2 : public Model {
 public:
  Gpt2(const io::Checkpoint& ck, const LoadOptions& options) : options_(options), cfg_(read_gpt2_config(ck.config())) {
    const int64_t d = cfg_.hidden, layers = cfg_.layers, inner = cfg_.inner, vocab = cfg_.vocab, positions = cfg_.positions;
    heads_ = cfg_.heads;

    Weights w(ck, options);
    const std::string p = w.find_prefix({"", "transformer."}, "wte.weight");
    wte_ = w.get(p + "wte.weight", {vocab, d});
    wpe_ = w.get(p + "wpe.weight", {positions, d});
    // Conv1D keeps [in, out]; at::linear wants [out, in].
    auto conv = [&](const std::string& name, int64_t in, int64_t out) {
      return blocks::Linear{w.get(name + ".weight", {in, out}).t().contiguous(), w.get(name + ".bias", {out})};
    };
    for (int64_t l = 0; l < layers; ++l) {
      const std::string b = p + "h." + std::to_string(l) + ".";
      blocks_.push_back({w.get(b + "ln_1.weight", {d}), w.get(b + "ln_1.bias", {d}), w.get(b + "ln_2.weight", {d}),
                         w.get(b + "ln_2.bias", {d}), conv(b + "attn.c_attn", d, 3 * d), conv(b + "attn.c_proj", d, d),
                         conv(b + "mlp.c_fc", d, inner), conv(b + "mlp.c_proj", inner, d)});
    }
    lnf_w_ = w.get(p + "ln_f.weight", {d});
    lnf_b_ = w.get(p + "ln_f.bias", {d});
    head_ = w.has("lm_head.weight") && !cfg_.tied ? w.get("lm_head.weight", {vocab, d}) : wte_;

    info_.family = "gpt2";
    info_.num_layers = static_cast<int>(layers);
    info_.hidden_size = static_cast<int>(d);
    info_.vocab_size = vocab;
    info_.max_positions = positions;
    info_.parameter_count = ck.parameter_count();
    for (int64_t l = 0; l < layers; ++l) info_.layers.push_back({MixerKind::SoftmaxAttention, static_cast<int>(heads_), "attention"});
  }

  const ModelInfo& info() const override { return info_; }
  at::Device device() const override { return options_.device; }
  at::ScalarType dtype() const override { return options_.dtype; }

  at::Tensor embed(const at::Tensor& ids) const override {
    at::Tensor positions = at::arange(ids.size(1), ids.options());
    return at::embedding(wte_, ids) + at::embedding(wpe_, positions).unsqueeze(0);
  }

  at::Tensor layer(int index, const at::Tensor& x, LayerCall& call) const override {
    const Gpt2Block& b = blocks_[index];
    const int64_t B = x.size(0), L = x.size(1), d = x.size(2), hd = d / heads_;
    at::Tensor qkv = b.qkv(blocks::layer_norm(x, b.ln1_w, b.ln1_b, cfg_.eps));
    auto split = [&](int i) { return qkv.narrow(-1, i * d, d).view({B, L, heads_, hd}).transpose(1, 2); };
    double scale = cfg_.scale_weights ? 1.0 / std::sqrt(static_cast<double>(hd)) : 1.0;
    if (cfg_.inverse_layer_scale) scale /= (index + 1);
    at::Tensor h = x + b.out(blocks::causal_attention(split(0), split(1), split(2), scale, call));
    at::Tensor m = b.proj(blocks::activation(b.fc(blocks::layer_norm(h, b.ln2_w, b.ln2_b, cfg_.eps)), cfg_.act));
    return h + m;
  }

  at::Tensor logits(const at::Tensor& x) const override {
    return at::linear(blocks::layer_norm(x, lnf_w_, lnf_b_, cfg_.eps), head_);
  }

 private:
  LoadOptions options_;
  Gpt2Config cfg_;
  ModelInfo info_;
  int64_t heads_ = 0;
  at::Tensor wte_, wpe_, lnf_w_, lnf_b_, head_;
  std::vector<Gpt2Block> blocks_;
};

}  // namespace

std::unique_ptr<Model> make_gpt2(const io::Checkpoint& checkpoint, const LoadOptions& options) {
  return std::make_unique<Gpt2>(checkpoint, options);
}

}  // namespace attnscope
