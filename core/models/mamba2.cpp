// Mamba-2 (model_type mamba2, or mamba_ssm's own config with ssm_cfg.layer
// "Mamba2"): in_proj split z | xBC | dt, causal conv on xBC, per-head scalar
// A, dt_bias, groups sharing B and C, the SSD scan (core/mixing/ssd.h), D
// skip, gated RMSNorm (one norm group per n_groups), out_proj. Each block is
// x + mixer(rms_norm(x)). A head's map is its SSD matrix M, y = M x + D x.
#include "core/mixing/ssd.h"
#include "core/models/blocks/attention.h"
#include "core/models/blocks/linear.h"
#include "core/models/blocks/norms.h"
#include "core/models/families.h"
#include "core/models/ssm/ssm_blocks.h"
#include "core/models/ssm/ssm_config.h"
#include "core/util/error.h"

namespace attnscope {
namespace {

struct Mamba2Block {
  at::Tensor norm, A, D, dt_bias, conv_w, conv_b, gate_norm;
  blocks::Linear in_proj, out_proj;
};

class Mamba2 : public Model {
 public:
  Mamba2(const io::Checkpoint& ck, const LoadOptions& options) : options_(options), cfg_(ssm::read_mamba2_config(ck.config())) {
    Weights w(ck, options);
    const auto& s = cfg_;
    const int64_t conv_dim = s.d_inner + 2 * s.groups * s.d_state;
    const int64_t proj = 2 * s.d_inner + 2 * s.groups * s.d_state + s.heads;
    embed_ = w.get_any({"backbone.embeddings.weight", "backbone.embedding.weight"}, {s.vocab, s.d_model});
    for (int64_t l = 0; l < s.layers; ++l) {
      const std::string b = "backbone.layers." + std::to_string(l) + ".";
      const std::string m = b + "mixer.";
      Mamba2Block blk;
      blk.norm = w.get(b + "norm.weight", {s.d_model});
      blk.A = -w.get(m + "A_log", {s.heads}).to(at::kFloat).exp();
      blk.D = w.get(m + "D", {s.heads}).to(at::kFloat);
      blk.dt_bias = w.get(m + "dt_bias", {s.heads}).to(at::kFloat);
      blk.conv_w = w.get(m + "conv1d.weight", {conv_dim, 1, s.d_conv});
      if (s.conv_bias) blk.conv_b = w.get(m + "conv1d.bias", {conv_dim});
      blk.gate_norm = w.get(m + "norm.weight", {s.d_inner});
      blk.in_proj = {w.get(m + "in_proj.weight", {proj, s.d_model}), s.proj_bias ? w.get(m + "in_proj.bias", {proj}) : at::Tensor()};
      blk.out_proj = {w.get(m + "out_proj.weight", {s.d_model, s.d_inner}), s.proj_bias ? w.get(m + "out_proj.bias", {s.d_model}) : at::Tensor()};
      blocks_.push_back(std::move(blk));
    }
    norm_f_ = w.get("backbone.norm_f.weight", {s.d_model});
    head_ = !s.tied && w.has("lm_head.weight") ? w.get("lm_head.weight", {s.vocab, s.d_model}) : embed_;

    info_.family = "mamba2";
    info_.num_layers = static_cast<int>(s.layers);
    info_.hidden_size = static_cast<int>(s.d_model);
    info_.vocab_size = s.vocab;
    info_.max_positions = 0;
    info_.parameter_count = ck.parameter_count();
    for (int64_t l = 0; l < s.layers; ++l) info_.layers.push_back({MixerKind::Mamba2SSD, static_cast<int>(s.heads), "mamba2 (SSD)"});
  }

  const ModelInfo& info() const override { return info_; }
  at::Device device() const override { return options_.device; }
  at::ScalarType dtype() const override { return options_.dtype; }
  at::Tensor embed(const at::Tensor& ids) const override { return at::embedding(embed_, ids); }

  at::Tensor layer(int index, const at::Tensor& x, LayerCall& call) const override {
    const Mamba2Block& b = blocks_[index];
    const auto& s = cfg_;
    const int64_t Bsz = x.size(0), L = x.size(1), GN = s.groups * s.d_state;
    at::Tensor zxbcdt = b.in_proj(blocks::rms_norm(x, b.norm, s.eps));
    at::Tensor z = zxbcdt.narrow(-1, 0, s.d_inner);
    at::Tensor xBC = at::silu(ssm::causal_conv(zxbcdt.narrow(-1, s.d_inner, s.d_inner + 2 * GN), b.conv_w, b.conv_b));
    at::Tensor dt = at::softplus(zxbcdt.narrow(-1, 2 * s.d_inner + 2 * GN, s.heads).to(at::kFloat) + b.dt_bias);
    if (s.dt_min > 0 || s.dt_max > 0) dt = dt.clamp(s.dt_min, s.dt_max > 0 ? s.dt_max : 1e30);
    mixing::SsdInputs in;
    in.x = xBC.narrow(-1, 0, s.d_inner).view({Bsz, L, s.heads, s.head_dim});
    in.B = xBC.narrow(-1, s.d_inner, GN).view({Bsz, L, s.groups, s.d_state});
    in.C = xBC.narrow(-1, s.d_inner + GN, GN).view({Bsz, L, s.groups, s.d_state});
    in.dt = dt;
    in.A = b.A;
    at::Tensor y = mixing::ssd_chunked(in);  // [B, L, H, P] float32
    const at::Tensor xf = in.x.to(at::kFloat);
    at::Tensor uniform;
    for (const auto& [head, mode] : call.ablate)
      if (mode == AblationMode::Uniform) {
        if (!uniform.defined()) uniform = blocks::uniform_causal(L, xf.options());
        y.select(2, head).copy_(at::matmul(uniform, xf.select(2, head)));
      }
    if (call.capture) {
      call.mixing = mixing::ssd_matrix(in);
      for (const auto& [head, mode] : call.ablate)
        if (mode == AblationMode::Uniform) call.mixing.select(1, head).copy_(uniform);
    }
    y = y + xf * b.D.view({1, 1, s.heads, 1});
    y = ssm::gated_rms_norm(y.reshape({Bsz, L, s.d_inner}).to(x.scalar_type()), z, b.gate_norm, s.groups, s.eps,
                            s.norm_before_gate);
    // Zero / mean ablation: the head's slice of out_proj's input.
    at::Tensor heads = y.view({Bsz, L, s.heads, s.head_dim}).transpose(1, 2);  // [B, H, L, P] view of y
    blocks::ablate_head_outputs(heads, call);
    return x + b.out_proj(y);
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
