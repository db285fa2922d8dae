// Llama 2/3 and look-alikes (model_type llama, mistral, qwen2): RMSNorm, RoPE
// with rope_theta and rope_scaling (linear, llama3), grouped-query
// attention, SwiGLU MLP, tied or untied head; q/k/v biases when the config
// says attention_bias (qwen2 always has them).
#include <cmath>

#include "core/models/blocks/attention.h"
#include "core/models/blocks/linear.h"
#include "core/models/blocks/norms.h"
#include "core/models/blocks/rotary.h"
#include "core/models/families.h"
#include "core/util/error.h"

namespace attnscope {
namespace {

struct LlamaBlock {
  at::Tensor attn_norm, mlp_norm;
  blocks::Linear q, k, v, o, gate, up, down;
};

class Llama : public Model {
 public:
  Llama(const io::Checkpoint& ck, const LoadOptions& options) : options_(options) {
    const io::Config& c = ck.config();
    const std::string type = ck.model_type();
    const int64_t d = c.get_int("hidden_size"), layers = c.get_int("num_hidden_layers");
    heads_ = c.get_int("num_attention_heads");
    kv_heads_ = c.get_int("num_key_value_heads", heads_);
    if (heads_ % kv_heads_) fail_file(c.origin(), "num_attention_heads is not a multiple of num_key_value_heads");
    head_dim_ = c.get_int("head_dim", d / heads_);
    const int64_t inner = c.get_int("intermediate_size"), vocab = c.get_int("vocab_size");
    eps_ = c.get_double("rms_norm_eps", 1e-6);
    act_ = c.get_string("hidden_act", "silu");
    if (!blocks::known_activation(act_)) fail_file(c.origin(), "hidden_act '" + act_ + "' is not supported");
    rotary_ = blocks::Rotary(head_dim_, c.get_double("rope_theta", 10000), blocks::read_rope_scaling(c));

    Weights w(ck, options);
    const bool qkv_bias = c.get_bool("attention_bias", type == "qwen2");
    const bool mlp_bias = c.get_bool("mlp_bias", false);
    auto linear = [&](const std::string& name, int64_t in, int64_t out, bool bias) {
      return blocks::Linear{w.get(name + ".weight", {out, in}), bias ? w.get(name + ".bias", {out}) : at::Tensor()};
    };
    embed_ = w.get("model.embed_tokens.weight", {vocab, d});
    const int64_t q_width = heads_ * head_dim_, kv_width = kv_heads_ * head_dim_;
    for (int64_t l = 0; l < layers; ++l) {
      const std::string b = "model.layers." + std::to_string(l) + ".";
      blocks_.push_back({w.get(b + "input_layernorm.weight", {d}), w.get(b + "post_attention_layernorm.weight", {d}),
                         linear(b + "self_attn.q_proj", d, q_width, qkv_bias), linear(b + "self_attn.k_proj", d, kv_width, qkv_bias),
                         linear(b + "self_attn.v_proj", d, kv_width, qkv_bias),
                         linear(b + "self_attn.o_proj", q_width, d, c.get_bool("attention_bias", false) && type != "qwen2"),
                         linear(b + "mlp.gate_proj", d, inner, mlp_bias), linear(b + "mlp.up_proj", d, inner, mlp_bias),
                         linear(b + "mlp.down_proj", inner, d, mlp_bias)});
    }
    norm_ = w.get("model.norm.weight", {d});
    const bool tied = c.get_bool("tie_word_embeddings", false) || !w.has("lm_head.weight");
    head_ = tied ? embed_ : w.get("lm_head.weight", {vocab, d});

    info_.family = type;
    info_.num_layers = static_cast<int>(layers);
    info_.hidden_size = static_cast<int>(d);
    info_.vocab_size = vocab;
    info_.max_positions = c.get_int("max_position_embeddings", 0);
    info_.parameter_count = ck.parameter_count();
    const std::string desc = kv_heads_ == heads_ ? "attention" : "attention (GQA, " + std::to_string(kv_heads_) + " kv heads)";
    for (int64_t l = 0; l < layers; ++l) info_.layers.push_back({MixerKind::SoftmaxAttention, static_cast<int>(heads_), desc});
  }

  const ModelInfo& info() const override { return info_; }
  at::Device device() const override { return options_.device; }
  at::ScalarType dtype() const override { return options_.dtype; }
  at::Tensor embed(const at::Tensor& ids) const override { return at::embedding(embed_, ids); }

  at::Tensor layer(int index, const at::Tensor& x, LayerCall& call) const override {
    const LlamaBlock& b = blocks_[index];
    const int64_t B = x.size(0), L = x.size(1);
    at::Tensor h = blocks::rms_norm(x, b.attn_norm, eps_);
    auto heads = [&](const blocks::Linear& proj, int64_t n) { return proj(h).view({B, L, n, head_dim_}).transpose(1, 2); };
    at::Tensor q = rotary_.apply(heads(b.q, heads_)), k = rotary_.apply(heads(b.k, kv_heads_));
    at::Tensor attn = blocks::causal_attention(q, k, heads(b.v, kv_heads_), 1.0 / std::sqrt(static_cast<double>(head_dim_)), call);
    at::Tensor r = x + b.o(attn);
    at::Tensor m = blocks::rms_norm(r, b.mlp_norm, eps_);
    return r + b.down(blocks::activation(b.gate(m), act_) * b.up(m));
  }

  at::Tensor logits(const at::Tensor& x) const override { return at::linear(blocks::rms_norm(x, norm_, eps_), head_); }

 private:
  LoadOptions options_;
  ModelInfo info_;
  int64_t heads_ = 0, kv_heads_ = 0, head_dim_ = 0;
  double eps_ = 1e-6;
  std::string act_;
  blocks::Rotary rotary_;
  at::Tensor embed_, norm_, head_;
  std::vector<LlamaBlock> blocks_;
};

}  // namespace

std::unique_ptr<Model> make_llama(const io::Checkpoint& checkpoint, const LoadOptions& options) {
  return std::make_unique<Llama>(checkpoint, options);
}

}  // namespace attnscope
