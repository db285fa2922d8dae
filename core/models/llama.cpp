// Llama 2/3 and look-alikes (model_type llama, mistral, qwen2): RMSNorm, RoPE
// with rope_theta and rope_scaling (linear, llama3), grouped-query
// attention, SwiGLU MLP, tied or untied head; q/k/v biases when the config
// says attention_bias (qwen2 always has them).
#include <cmath>

#include "core/models/blocks/llama_block.h"
#include "core/models/blocks/norms.h"
#include "core/models/families.h"
#include "core/util/error.h"

namespace attnscope {
namespace {

class Llama : public Model {
 public:
  Llama(const io::Checkpoint& ck, const LoadOptions& options)
      : options_(options), cfg_(read_llama_config(ck.config(), ck.model_type())), shape_(cfg_.shape) {
    const std::string type = ck.model_type();
    const int64_t d = shape_.hidden, layers = cfg_.layers, vocab = cfg_.vocab;
    rotary_ = blocks::Rotary(shape_.head_dim, cfg_.rope_theta, cfg_.rope_scaling);

    Weights w(ck, options);
    embed_ = w.get("model.embed_tokens.weight", {vocab, d});
    for (int64_t l = 0; l < layers; ++l)
      blocks_.push_back(blocks::LlamaBlock::read(w, "model.layers." + std::to_string(l) + ".", shape_));
    norm_ = w.get("model.norm.weight", {d});
    const bool tied = cfg_.tied || !w.has("lm_head.weight");
    head_ = tied ? embed_ : w.get("lm_head.weight", {vocab, d});

    info_.family = type;
    info_.num_layers = static_cast<int>(layers);
    info_.hidden_size = static_cast<int>(d);
    info_.vocab_size = vocab;
    info_.max_positions = cfg_.max_positions;
    info_.parameter_count = ck.parameter_count();
    for (int64_t l = 0; l < layers; ++l) info_.layers.push_back(attention_layer_info(shape_.heads, shape_.kv_heads));
  }

  const ModelInfo& info() const override { return info_; }
  at::Device device() const override { return options_.device; }
  at::ScalarType dtype() const override { return options_.dtype; }
  at::Tensor embed(const at::Tensor& ids) const override { return at::embedding(embed_, ids); }

  at::Tensor layer(int index, const at::Tensor& x, LayerCall& call) const override {
    return blocks_[index].forward(x, call, shape_, rotary_);
  }

  at::Tensor logits(const at::Tensor& x) const override { return at::linear(blocks::rms_norm(x, norm_, shape_.eps), head_); }

 private:
  LoadOptions options_;
  LlamaConfig cfg_;
  LlamaShape shape_;
  ModelInfo info_;
  blocks::Rotary rotary_;
  at::Tensor embed_, norm_, head_;
  std::vector<blocks::LlamaBlock> blocks_;
};

}  // namespace

std::unique_ptr<Model> make_llama(const io::Checkpoint& checkpoint, const LoadOptions& options) {
  return std::make_unique<Llama>(checkpoint, options);
}

}  // namespace attnscope
