// Bamba (model_type bamba) and Granite-4.0-H (granitemoehybrid): Mamba-2
// layers (gate, then one RMSNorm over the full width) and attention layers.
// Bamba: attention on the layers of attn_layer_indices with RoPE on half of
// each head, SwiGLU feed-forward after pre_ff_layernorm. Granite: layer_types
// picks the kind, attention scaled by attention_multiplier with no positions
// unless position_embedding_type is rope; a shared gated MLP plus a top-k MoE
// (softmax over the top k logits) after post_attention_layernorm; residual,
// embedding and logits multipliers.
#include "core/models/blocks/read_blocks.h"
#include "core/models/blocks/ssm_mixers.h"
#include "core/models/composed_model.h"
#include "core/models/families.h"

namespace attnscope {
namespace {

// input_linear [2 * inner, d] = [gate | up], output_linear [d, inner]
std::shared_ptr<blocks::FusedGatedMlp> fused(const at::Tensor& in, const at::Tensor& out, const std::string& act) {
  return std::make_shared<blocks::FusedGatedMlp>(blocks::Linear{in, {}}, blocks::Linear{out, {}}, act);
}

std::unique_ptr<Model> build(const io::Checkpoint& ck, const LoadOptions& options, const BambaConfig& c, bool granite) {
  const int64_t d = c.hidden;
  Weights w(ck, options);
  EmbeddingSpec embedding{w.get_matrix("model.embed_tokens.weight", {c.vocab, d}), {}, c.embedding_multiplier};
  std::vector<std::unique_ptr<blocks::Layer>> layers;
  for (int64_t l = 0; l < c.layers; ++l) {
    const std::string b = "model.layers." + std::to_string(l) + ".";
    auto layer = std::make_unique<blocks::DecoderLayer>();
    layer->mixer_norm = blocks::Norm::rms(w.get(b + "input_layernorm.weight", {d}), c.eps);
    if (c.attention[l])
      layer->mixers.push_back({blocks::read_attention(w, b + "self_attn.", blocks::attention_spec(c.attn), d, d, c.attn.bias, c.attn.bias)});
    else
      layer->mixers.push_back({std::make_shared<blocks::Mamba2Mixer>(w, b + "mamba.", c.mamba)});
    layer->residual_multiplier = c.residual_multiplier;
    if (!granite) {
      layer->ffn_norm = blocks::Norm::rms(w.get(b + "pre_ff_layernorm.weight", {d}), c.eps);
      layer->ffn = blocks::read_gated_mlp(w, b + "feed_forward.", d, c.inner, c.act, false);
    } else {
      layer->ffn_norm = blocks::Norm::rms(w.get(b + "post_attention_layernorm.weight", {d}), c.eps);
      auto shared = fused(w.get_matrix(b + "shared_mlp.input_linear.weight", {2 * c.shared_inner, d}),
                          w.get_matrix(b + "shared_mlp.output_linear.weight", {d, c.shared_inner}), c.act);
      if (c.experts == 0) {
        layer->ffn = shared;
      } else {
        // Experts are stored as 3-D tensors [E, 2F, d] and [E, d, F].
        const at::Tensor in = w.get(b + "block_sparse_moe.input_linear.weight", {c.experts, 2 * c.inner, d});
        const at::Tensor out = w.get(b + "block_sparse_moe.output_linear.weight", {c.experts, d, c.inner});
        auto moe = std::make_shared<blocks::SparseMoe>();
        moe->router = blocks::read_linear(w, b + "block_sparse_moe.router.layer", d, c.experts, false);
        for (int64_t e = 0; e < c.experts; ++e) moe->experts.push_back(fused(in.select(0, e), out.select(0, e), c.act));
        moe->top_k = static_cast<int>(c.top_k);
        moe->routing = blocks::SparseMoe::Routing::TopKThenSoftmax;
        moe->shared = shared;
        layer->ffn = moe;
      }
    }
    layers.push_back(std::move(layer));
  }
  HeadSpec head{blocks::Norm::rms(w.get(granite ? "model.norm.weight" : "model.final_layernorm.weight", {d}), c.eps),
                blocks::read_head_weight(w, "lm_head.weight", c.tied, embedding.table, c.vocab, d), {}, 1.0 / c.logits_scaling};
  ModelInfo info = granite ? describe_granite_hybrid(ck.config()) : describe_bamba(ck.config());
  info.parameter_count = ck.parameter_count();
  return std::make_unique<ComposedModel>(info, options, std::move(embedding), std::move(layers), std::move(head));
}

}  // namespace

std::unique_ptr<Model> make_bamba(const io::Checkpoint& ck, const LoadOptions& options) {
  return build(ck, options, read_bamba_config(ck.config()), false);
}

std::unique_ptr<Model> make_granite_hybrid(const io::Checkpoint& ck, const LoadOptions& options) {
  return build(ck, options, read_granite_hybrid_config(ck.config()), true);
}

}  // namespace attnscope
