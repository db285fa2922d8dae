// Mamba-1 (model_type mamba, or mamba_ssm's own config): in_proj split x | z,
// causal depthwise conv + SiLU on x, x_proj -> (dt, B, C), dt_proj +
// softplus, the selective scan with A = -exp(A_log), D skip, SiLU gate,
// out_proj; blocks are x + mixer(rms_norm(x)). Each channel of d_inner is a
// "head" whose map is its implied kernel M_d (core/mixing/mamba1_kernel.h);
// LayerCall::channel_group averages contiguous groups for an overview.
#include "core/mixing/mamba1_kernel.h"
#include "core/models/blocks/attention.h"
#include "core/models/blocks/linear.h"
#include "core/models/blocks/norms.h"
#include "core/models/families.h"
#include "core/models/ssm/ssm_blocks.h"
#include "core/models/config/ssm_config.h"
#include "core/util/error.h"

namespace attnscope {
namespace {

struct MambaBlock {
  at::Tensor norm, A, D, conv_w, conv_b;
  blocks::Linear in_proj, x_proj, dt_proj, out_proj;
};

class Mamba : public Model {
 public:
  Mamba(const io::Checkpoint& ck, const LoadOptions& options) : options_(options), cfg_(ssm::read_mamba1_config(ck.config())) {
    Weights w(ck, options);
    const auto& s = cfg_;
    embed_ = w.get_any({"backbone.embeddings.weight", "backbone.embedding.weight"}, {s.vocab, s.d_model});
    auto opt_bias = [&](const std::string& name, int64_t n, bool on) { return on ? w.get(name, {n}) : at::Tensor(); };
    for (int64_t l = 0; l < s.layers; ++l) {
      const std::string b = "backbone.layers." + std::to_string(l) + ".";
      const std::string m = b + "mixer.";
      MambaBlock blk;
      blk.norm = w.get(b + "norm.weight", {s.d_model});
      blk.A = -w.get(m + "A_log", {s.d_inner, s.d_state}).to(at::kFloat).exp();
      blk.D = w.get(m + "D", {s.d_inner}).to(at::kFloat);
      blk.conv_w = w.get(m + "conv1d.weight", {s.d_inner, 1, s.d_conv});
      blk.conv_b = opt_bias(m + "conv1d.bias", s.d_inner, s.conv_bias);
      blk.in_proj = {w.get(m + "in_proj.weight", {2 * s.d_inner, s.d_model}), opt_bias(m + "in_proj.bias", 2 * s.d_inner, s.proj_bias)};
      blk.x_proj = {w.get(m + "x_proj.weight", {s.dt_rank + 2 * s.d_state, s.d_inner}), at::Tensor()};
      blk.dt_proj = {w.get(m + "dt_proj.weight", {s.d_inner, s.dt_rank}), w.get(m + "dt_proj.bias", {s.d_inner})};
      blk.out_proj = {w.get(m + "out_proj.weight", {s.d_model, s.d_inner}), opt_bias(m + "out_proj.bias", s.d_model, s.proj_bias)};
      blocks_.push_back(std::move(blk));
    }
    norm_f_ = w.get("backbone.norm_f.weight", {s.d_model});
    head_ = !s.tied && w.has("lm_head.weight") ? w.get("lm_head.weight", {s.vocab, s.d_model}) : embed_;

    info_.family = "mamba";
    info_.num_layers = static_cast<int>(s.layers);
    info_.hidden_size = static_cast<int>(s.d_model);
    info_.vocab_size = s.vocab;
    info_.parameter_count = ck.parameter_count();
    for (int64_t l = 0; l < s.layers; ++l)
      info_.layers.push_back(mamba1_layer_info(s.d_inner, s.d_state));
  }

  const ModelInfo& info() const override { return info_; }
  at::Device device() const override { return options_.device; }
  at::ScalarType dtype() const override { return options_.dtype; }
  at::Tensor embed(const at::Tensor& ids) const override { return at::embedding(embed_, ids); }

  at::Tensor layer(int index, const at::Tensor& x, LayerCall& call) const override {
    const MambaBlock& b = blocks_[index];
    const auto& s = cfg_;
    const int64_t Bsz = x.size(0), L = x.size(1), g = std::max(1, call.channel_group);
    if (s.d_inner % g) throw Error("channel group " + std::to_string(g) + " does not divide " + std::to_string(s.d_inner) + " channels");
    at::Tensor xz = b.in_proj(blocks::rms_norm(x, b.norm, s.eps));
    at::Tensor u = xz.narrow(-1, 0, s.d_inner), z = xz.narrow(-1, s.d_inner, s.d_inner);
    at::Tensor conv = ssm::causal_conv(u, b.conv_w, b.conv_b);
    at::Tensor xs = at::silu(conv);
    at::Tensor dbc = b.x_proj(xs);
    mixing::Mamba1Inputs in;
    in.dt = at::softplus(b.dt_proj(dbc.narrow(-1, 0, s.dt_rank)).to(at::kFloat));
    in.B = dbc.narrow(-1, s.dt_rank, s.d_state);
    in.C = dbc.narrow(-1, s.dt_rank + s.d_state, s.d_state);
    in.A = b.A;
    const at::Tensor xf = xs.to(at::kFloat);
    at::Tensor y = mixing::mamba1_scan(in, xf);  // [B, L, D]
    // Head h covers channels [h * g, (h + 1) * g).
    at::Tensor uniform;
    for (const auto& [head, mode] : call.ablate)
      if (mode == AblationMode::Uniform) {
        if (!uniform.defined()) uniform = blocks::uniform_causal(L, xf.options());
        y.narrow(-1, head * g, g).copy_(at::matmul(uniform, xf.narrow(-1, head * g, g)));
      }
    const at::Tensor gate = at::silu(z.to(at::kFloat));
    if (call.capture) call.mixing = capture(in, conv, gate, b, call, L, g);
    y = (y + xf * b.D) * gate;
    at::Tensor heads = y.view({Bsz, L, s.d_inner / g, g}).permute({0, 2, 1, 3});  // [B, heads, L, g] view of y
    blocks::ablate_head_outputs(heads, call);
    return x + b.out_proj(y.to(x.scalar_type()));
  }

  at::Tensor logits(const at::Tensor& x) const override { return at::linear(blocks::rms_norm(x, norm_f_, cfg_.eps), head_); }

 private:
  // Direct: M_d. Effective: diag(gate_d) M_d diag(s_d) W_d, where s = silu(u)/u
  // at each position (the SiLU's exact gain on this input) and W_d the
  // causal conv's Toeplitz matrix: the map from channel d's pre-conv input to
  // its gated output (the conv bias, not attributable to a token, left out).
  at::Tensor capture(const mixing::Mamba1Inputs& in, const at::Tensor& conv, const at::Tensor& gate,
                     const MambaBlock& b, const LayerCall& call, int64_t L, int64_t g) const {
    const bool effective = call.view == MixingView::Effective;
    at::Tensor m = mixing::mamba1_matrices(in, effective ? 1 : g);  // [B, D or D/g, L, L]
    if (effective) {
      const at::Tensor c = conv.to(at::kFloat);
      const at::Tensor gain = at::where(c.abs() > 1e-12, at::silu(c) / c, at::full_like(c, 0.5));  // silu'(0) = 1/2
      const int64_t K = b.conv_w.size(-1);
      const at::Tensor taps = b.conv_w.to(at::kFloat).select(1, 0);  // [D, K]; tap k reads position j - (K-1-k)
      at::Tensor toeplitz = at::zeros({cfg_.d_inner, L, L}, m.options());
      for (int64_t k = 0; k < K; ++k) {
        const int64_t lag = K - 1 - k;
        if (lag >= L) continue;
        toeplitz.diagonal(-lag, 1, 2).add_(taps.select(1, k).unsqueeze(-1));
      }
      m = m * gain.transpose(1, 2).unsqueeze(-2);                  // * s_j
      m = at::matmul(m, toeplitz.unsqueeze(0));                     // * W
      m = m * gate.transpose(1, 2).unsqueeze(-1);                   // gate_i *
      if (g > 1) m = m.view({m.size(0), cfg_.d_inner / g, g, L, L}).mean(2);
    }
    at::Tensor uniform;
    for (const auto& [head, mode] : call.ablate)
      if (mode == AblationMode::Uniform && !effective) {
        if (!uniform.defined()) uniform = blocks::uniform_causal(L, m.options());
        m.select(1, head).copy_(uniform);
      }
    return m;
  }

  LoadOptions options_;
  ssm::SsmConfig cfg_;
  ModelInfo info_;
  at::Tensor embed_, norm_f_, head_;
  std::vector<MambaBlock> blocks_;
};

}  // namespace

std::unique_ptr<Model> make_mamba(const io::Checkpoint& checkpoint, const LoadOptions& options) {
  return std::make_unique<Mamba>(checkpoint, options);
}

}  // namespace attnscope
