// GPT-NeoX / Pythia (model_type gpt_neox): fused query_key_value laid out per
// head as [q | k | v], partial rotary (rotary_pct), parallel residual
// (x + attn(ln1 x) + mlp(ln2 x)) unless use_parallel_residual is false.
// vocab_size is padded past the tokenizer's size; logits cover all of it.
#include <cmath>

#include "core/models/blocks/attention.h"
#include "core/models/blocks/linear.h"
#include "core/models/blocks/norms.h"
#include "core/models/blocks/rotary.h"
#include "core/models/config/transformer_configs.h"
#include "core/models/families.h"
#include "core/util/error.h"

namespace attnscope {
namespace {

struct NeoxBlock {
  at::Tensor ln1_w, ln1_b, ln2_w, ln2_b;
  blocks::Linear qkv, dense, up, down;
};

class GptNeox : public Model {
 public:
  GptNeox(const io::Checkpoint& ck, const LoadOptions& options) : options_(options), cfg_(read_neox_config(ck.config())) {
    const int64_t d = cfg_.hidden, layers = cfg_.layers, inner = cfg_.inner, vocab = cfg_.vocab;
    heads_ = cfg_.heads;
    rotary_ = blocks::Rotary(cfg_.rotary_dim, cfg_.rotary_base, cfg_.rope_scaling);

    Weights w(ck, options);
    const bool bias = cfg_.bias;
    auto linear = [&](const std::string& name, int64_t in, int64_t out, bool with_bias) {
      return blocks::Linear{w.get(name + ".weight", {out, in}), with_bias ? w.get(name + ".bias", {out}) : at::Tensor()};
    };
    embed_ = w.get("gpt_neox.embed_in.weight", {vocab, d});
    for (int64_t l = 0; l < layers; ++l) {
      const std::string b = "gpt_neox.layers." + std::to_string(l) + ".";
      blocks_.push_back({w.get(b + "input_layernorm.weight", {d}), w.get(b + "input_layernorm.bias", {d}),
                         w.get(b + "post_attention_layernorm.weight", {d}), w.get(b + "post_attention_layernorm.bias", {d}),
                         linear(b + "attention.query_key_value", d, 3 * d, bias), linear(b + "attention.dense", d, d, bias),
                         linear(b + "mlp.dense_h_to_4h", d, inner, true), linear(b + "mlp.dense_4h_to_h", inner, d, true)});
    }
    lnf_w_ = w.get("gpt_neox.final_layer_norm.weight", {d});
    lnf_b_ = w.get("gpt_neox.final_layer_norm.bias", {d});
    head_ = cfg_.tied ? embed_ : w.get("embed_out.weight", {vocab, d});

    info_.family = "gpt_neox";
    info_.num_layers = static_cast<int>(layers);
    info_.hidden_size = static_cast<int>(d);
    info_.vocab_size = vocab;
    info_.max_positions = cfg_.max_positions;
    info_.parameter_count = ck.parameter_count();
    for (int64_t l = 0; l < layers; ++l) info_.layers.push_back({MixerKind::SoftmaxAttention, static_cast<int>(heads_), "attention"});
  }

  const ModelInfo& info() const override { return info_; }
  at::Device device() const override { return options_.device; }
  at::ScalarType dtype() const override { return options_.dtype; }
  at::Tensor embed(const at::Tensor& ids) const override { return at::embedding(embed_, ids); }

  at::Tensor layer(int index, const at::Tensor& x, LayerCall& call) const override {
    const NeoxBlock& b = blocks_[index];
    const int64_t B = x.size(0), L = x.size(1), d = x.size(2), hd = d / heads_;
    // Fused projection, per head [q | k | v]: [B, L, H, 3 * hd].
    at::Tensor qkv = b.qkv(blocks::layer_norm(x, b.ln1_w, b.ln1_b, cfg_.eps)).view({B, L, heads_, 3 * hd}).transpose(1, 2);
    at::Tensor q = rotary_.apply(qkv.narrow(-1, 0, hd)), k = rotary_.apply(qkv.narrow(-1, hd, hd));
    at::Tensor v = qkv.narrow(-1, 2 * hd, hd);
    at::Tensor attn = b.dense(blocks::causal_attention(q, k, v, 1.0 / std::sqrt(static_cast<double>(hd)), call));
    auto mlp = [&](const at::Tensor& h) {
      return b.down(blocks::activation(b.up(blocks::layer_norm(h, b.ln2_w, b.ln2_b, cfg_.eps)), cfg_.act));
    };
    if (cfg_.parallel) return x + attn + mlp(x);
    at::Tensor h = x + attn;
    return h + mlp(h);
  }

  at::Tensor logits(const at::Tensor& x) const override {
    return at::linear(blocks::layer_norm(x, lnf_w_, lnf_b_, cfg_.eps), head_);
  }

 private:
  LoadOptions options_;
  NeoxConfig cfg_;
  ModelInfo info_;
  int64_t heads_ = 0;
  blocks::Rotary rotary_;
  at::Tensor embed_, lnf_w_, lnf_b_, head_;
  std::vector<NeoxBlock> blocks_;
};

}  // namespace

std::unique_ptr<Model> make_gpt_neox(const io::Checkpoint& checkpoint, const LoadOptions& options) {
  return std::make_unique<GptNeox>(checkpoint, options);
}

}  // namespace attnscope
