// Zamba2 (model_type zamba2): Mamba-2 layers, and hybrid layers that first
// run one of num_mem_blocks shared attention blocks on concat(hidden,
// original embeddings) (RMSNorm(2C) -> attention -> RMSNorm(C) -> gated MLP,
// no residual inside), pass it through the layer's own `linear`, and add it
// to the Mamba-2 mixer's input only: x + mamba(norm(x + linear(block))).
// Invocation p of hybrid_layer_ids runs block p % num_mem_blocks with its own
// LoRA adapters; the block's weights are read once (stored under its first
// user) and referenced by every invocation, so ablating a shared head at one
// depth leaves the others intact. Hybrid layers have two mixers: attn, ssm.
#include <algorithm>

#include "core/models/blocks/read_blocks.h"
#include "core/models/blocks/ssm_mixers.h"
#include "core/models/composed_model.h"
#include "core/models/families.h"

namespace attnscope {
namespace {

// One shared block's weights, read once.
struct SharedBlock {
  std::string prefix;
  blocks::Norm input_norm, ffn_norm;
  blocks::Linear q, k, v, o, gate_up, down;
};

class Zamba2HybridLayer : public blocks::Layer {
 public:
  std::shared_ptr<blocks::AttentionMixer> attention;  // this invocation: shared weights, own adapters
  std::shared_ptr<blocks::FusedGatedMlp> mlp;
  blocks::Norm block_input_norm, block_ffn_norm, mamba_norm;
  blocks::Linear linear;
  std::shared_ptr<blocks::Mamba2Mixer> mamba;

  LayerInfo info() const override {
    MixerInfo attn = attention->info(), ssm = mamba->info();
    attn.description = "shared " + attn.description;
    return LayerInfo{{attn, ssm}, attn.description + " + gated MLP, then " + ssm.description};
  }

  at::Tensor forward(const at::Tensor& x, LayerCall& call, const blocks::MixerContext& context) const override {
    const at::Tensor h = block_input_norm(at::cat({x, context.token_embeddings.expand_as(x)}, -1));
    const at::Tensor t = (*mlp)(block_ffn_norm((*attention)(h, call.mixers.at(0), context)));
    return x + (*mamba)(mamba_norm(x + linear(t)), call.mixers.at(1), context);
  }
};

}  // namespace

std::unique_ptr<Model> make_zamba2(const io::Checkpoint& ck, const LoadOptions& options) {
  const Zamba2Config c = read_zamba2_config(ck.config());
  const int64_t d = c.hidden, H = c.attn.heads, kv = c.attn.kv_heads, hd = c.attn.head_dim;
  Weights w(ck, options);
  EmbeddingSpec embedding{w.get_matrix("model.embed_tokens.weight", {c.vocab, d})};
  // Shared block b lives under the first hybrid layer that runs it.
  std::vector<SharedBlock> shared;
  for (int64_t b = 0; b < c.mem_blocks && b < static_cast<int64_t>(c.hybrid_layers.size()); ++b) {
    const std::string s = "model.layers." + std::to_string(c.hybrid_layers[b]) + ".shared_transformer.";
    shared.push_back({s, blocks::Norm::rms(w.get(s + "input_layernorm.weight", {2 * d}), c.eps),
                      blocks::Norm::rms(w.get(s + "pre_ff_layernorm.weight", {d}), c.eps),
                      blocks::read_linear(w, s + "self_attn.q_proj", 2 * d, H * hd, false),
                      blocks::read_linear(w, s + "self_attn.k_proj", 2 * d, kv * hd, false),
                      blocks::read_linear(w, s + "self_attn.v_proj", 2 * d, kv * hd, false),
                      blocks::read_linear(w, s + "self_attn.o_proj", H * hd, d, false),
                      blocks::read_linear(w, s + "feed_forward.gate_up_proj", d, 2 * c.inner, false),
                      blocks::read_linear(w, s + "feed_forward.down_proj", c.inner, d, false)});
  }
  auto adapter = [&](const std::string& a, int64_t in, int64_t out) {
    return blocks::LowRank{w.get(a + "0.weight", {c.adapter_rank, in}), w.get(a + "1.weight", {out, c.adapter_rank})};
  };
  std::vector<std::unique_ptr<blocks::Layer>> layers;
  for (int64_t l = 0; l < c.layers; ++l) {
    const std::string b = "model.layers." + std::to_string(l) + ".";
    const auto at = std::find(c.hybrid_layers.begin(), c.hybrid_layers.end(), static_cast<int>(l));
    if (at == c.hybrid_layers.end()) {
      auto layer = std::make_unique<blocks::DecoderLayer>();
      layer->mixer_norm = blocks::Norm::rms(w.get(b + "input_layernorm.weight", {d}), c.eps);
      layer->mixers.push_back({std::make_shared<blocks::Mamba2Mixer>(w, b + "mamba.", c.mamba)});
      layers.push_back(std::move(layer));
      continue;
    }
    const int64_t p = at - c.hybrid_layers.begin();
    const SharedBlock& s = shared.at(p % c.mem_blocks);
    auto layer = std::make_unique<Zamba2HybridLayer>();
    layer->attention = std::make_shared<blocks::AttentionMixer>(blocks::attention_spec(c.attn), s.q, s.k, s.v, s.o);
    layer->mlp = std::make_shared<blocks::FusedGatedMlp>(s.gate_up, s.down, c.act);
    if (c.adapters) {
      const std::string n = "." + std::to_string(p) + ".";
      layer->attention->set_adapters(adapter(s.prefix + "self_attn.linear_q_adapter_list" + n, 2 * d, H * hd),
                                     adapter(s.prefix + "self_attn.linear_k_adapter_list" + n, 2 * d, kv * hd),
                                     adapter(s.prefix + "self_attn.linear_v_adapter_list" + n, 2 * d, kv * hd));
      layer->mlp->adapter = adapter(s.prefix + "feed_forward.gate_up_proj_adapter_list" + n, d, 2 * c.inner);
    }
    layer->block_input_norm = s.input_norm, layer->block_ffn_norm = s.ffn_norm;
    layer->linear = blocks::read_linear(w, b + "linear", d, d, false);
    layer->mamba_norm = blocks::Norm::rms(w.get(b + "mamba_decoder.input_layernorm.weight", {d}), c.eps);
    layer->mamba = std::make_shared<blocks::Mamba2Mixer>(w, b + "mamba_decoder.mamba.", c.mamba);
    layers.push_back(std::move(layer));
  }
  HeadSpec head{blocks::Norm::rms(w.get("model.final_layernorm.weight", {d}), c.eps),
                blocks::read_head_weight(w, "lm_head.weight", c.tied, embedding.table, c.vocab, d)};
  ModelInfo info = describe_zamba2(ck.config());
  info.parameter_count = ck.parameter_count();
  return std::make_unique<ComposedModel>(info, options, std::move(embedding), std::move(layers), std::move(head));
}

}  // namespace attnscope
