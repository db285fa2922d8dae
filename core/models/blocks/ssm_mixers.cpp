#include "core/models/blocks/ssm_mixers.h"

#include <cmath>

#include "core/mixing/mamba1_kernel.h"
#include "core/models/blocks/attention_mixer.h"
#include "core/mixing/ssd.h"
#include "core/models/blocks/norms.h"
#include "core/models/ssm/ssm_blocks.h"
#include "core/util/error.h"

namespace attnscope::blocks {
// ---- Mamba-2 -------------------------------------------------------------------------------------

Mamba2Mixer::Mamba2Mixer(const Weights& w, const std::string& m, const ssm::SsmConfig& s, const AttentionHeadsSpec& attention)
    : cfg_(s) {
  const int64_t GN = s.groups * s.d_state, conv_dim = s.d_inner + 2 * GN, proj = 2 * s.d_inner + 2 * GN + s.heads;
  // A_log stays a parameter (A = -exp(A_log) per call) so the trainer can learn it.
  A_log_ = w.get(m + "A_log", {s.heads});
  D_ = w.get(m + "D", {s.heads});
  dt_bias_ = w.get(m + "dt_bias", {s.heads});
  conv_w_ = w.get(m + "conv1d.weight", {conv_dim, 1, s.d_conv});
  if (s.conv_bias) conv_b_ = w.get(m + "conv1d.bias", {conv_dim});
  if (s.gate_norm != ssm::SsmConfig::GateNorm::None) gate_norm_ = w.get(m + "norm.weight", {s.d_inner});
  in_proj_ = read_linear(w, m + "in_proj", s.d_model, proj, s.proj_bias);
  out_proj_ = read_linear(w, m + "out_proj", s.d_inner, s.d_model, s.proj_bias || s.out_proj_bias);
  if (!s.mup.empty()) {
    // One factor per block of in_proj's rows [z | x | B | C | dt] (Falcon-H1's mup vector).
    const int64_t sizes[5] = {s.d_inner, s.d_inner, GN, GN, s.heads};
    std::vector<at::Tensor> parts;
    for (int k = 0; k < 5; ++k) parts.push_back(at::full({sizes[k]}, s.mup.at(k), at::kFloat));
    mup_ = at::cat(parts).to(in_proj_.weight.device());
  }
  for (int h : attention.heads) {
    const std::string a = m + "attention_heads." + std::to_string(h) + ".";
    attention_heads_.push_back({h, read_linear(w, a + "q_proj", s.d_model, attention.head_dim, false),
                                read_linear(w, a + "k_proj", s.d_model, attention.head_dim, false), w.get(a + "log_gain", {1})});
  }
}

MixerInfo Mamba2Mixer::info() const {
  MixerInfo info = mamba2_mixer_info(cfg_.heads, cfg_.d_state);
  std::vector<int> heads;
  for (const auto& a : attention_heads_) heads.push_back(a.head);
  std::sort(heads.begin(), heads.end());
  if (!heads.empty()) info.description = mamba2_with_attention_heads_description(heads);
  for (int h : heads) info.head_kinds[h] = MixerKind::SoftmaxAttention;
  return info;
}

at::Tensor Mamba2Mixer::attend(const at::Tensor& input, const at::Tensor& values, at::Tensor y, at::Tensor& map) const {
  if (attention_heads_.empty()) return y;
  std::vector<at::Tensor> outputs;
  std::vector<int64_t> index;
  for (const auto& a : attention_heads_) {
    const at::Tensor q = a.q(input).unsqueeze(1), k = a.k(input).unsqueeze(1);  // [B, 1, L, dk]: one head
    const double scale = 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
    const at::Tensor probs = mixing_maps(q, k, scale, ScoreForm::Softmax).squeeze(1);  // [B, L, L] float32
    // The scan's outputs are sums over past tokens, attention's an average: a learnt gain matches their scales.
    outputs.push_back(at::matmul(probs, values.select(2, a.head)) * a.log_gain.to(at::kFloat).exp());  // [B, L, P]
    index.push_back(a.head);
    if (map.defined()) map.select(1, a.head).copy_(probs);
  }
  // Out of place, so training differentiates through the replaced slices.
  return y.index_copy(2, at::tensor(index, y.options().dtype(at::kLong)), at::stack(outputs, 2));
}

namespace {
MixingFactors ssd_factors(const mixing::SsdInputs& in) {
  MixingFactors f;
  f.form = MixingFactors::Form::Ssd;
  f.C = in.C, f.B = in.B, f.dt = in.dt, f.A = in.A, f.weight = in.weight;
  return f;
}
}  // namespace

bool Mamba2Mixer::gives_factors(const MixerCall& call) const { return attention_heads_.empty() && !any_uniform(call); }
bool DiscreteMamba2Mixer::gives_factors(const MixerCall& call) const { return !any_uniform(call); }

at::Tensor Mamba2Mixer::per_head_outputs(const at::Tensor& x, MixerCall& call, const MixerContext&) const {
  const auto& s = cfg_;
  const int64_t Bsz = x.size(0), L = x.size(1), GN = s.groups * s.d_state;
  at::Tensor zxbcdt = in_proj_(s.in_multiplier != 1 ? x * s.in_multiplier : x);
  if (mup_.defined()) zxbcdt = zxbcdt * mup_.to(zxbcdt.scalar_type());
  const at::Tensor z = zxbcdt.narrow(-1, 0, s.d_inner);
  const at::Tensor xBC = at::silu(ssm::causal_conv(zxbcdt.narrow(-1, s.d_inner, s.d_inner + 2 * GN), conv_w_, conv_b_));
  at::Tensor dt = at::softplus(zxbcdt.narrow(-1, 2 * s.d_inner + 2 * GN, s.heads).to(at::kFloat) + dt_bias_.to(at::kFloat));
  if (s.dt_min > 0 || s.dt_max > 0) dt = dt.clamp(s.dt_min, s.dt_max > 0 ? s.dt_max : 1e30);
  mixing::SsdInputs in;
  in.x = xBC.narrow(-1, 0, s.d_inner).reshape({Bsz, L, s.heads, s.head_dim});
  in.B = xBC.narrow(-1, s.d_inner, GN).reshape({Bsz, L, s.groups, s.d_state});
  in.C = xBC.narrow(-1, s.d_inner + GN, GN).reshape({Bsz, L, s.groups, s.d_state});
  in.dt = dt;
  in.A = -A_log_.to(at::kFloat).exp();
  if (call.want_factors && gives_factors(call)) call.factors = ssd_factors(in);
  at::Tensor y = mixing::ssd_chunked(in);  // [B, L, H, P] float32
  const at::Tensor xf = in.x.to(at::kFloat);
  at::Tensor map = call.capture ? mixing::ssd_matrix(in) : at::Tensor();
  y = attend(x, xf, y, map);
  at::Tensor y_heads = y.transpose(1, 2);  // [B, H, L, P] view
  if (!call.ablate.empty()) uniform_heads(call, map, y_heads, xf.transpose(1, 2));
  if (map.defined()) capture(call, map);
  y = y + xf * D_.to(at::kFloat).view({1, 1, s.heads, 1});
  const at::Tensor flat = y.reshape({Bsz, L, s.d_inner}).to(x.scalar_type());
  switch (s.gate_norm) {
    case ssm::SsmConfig::GateNorm::Grouped:
      y = ssm::gated_rms_norm(flat, z, gate_norm_, s.groups, s.gate_eps, s.norm_before_gate);
      break;
    case ssm::SsmConfig::GateNorm::Full:
      y = ssm::gated_rms_norm(flat, z, gate_norm_, 1, s.gate_eps, s.norm_before_gate);
      break;
    case ssm::SsmConfig::GateNorm::None:
      y = flat * at::silu(z);
      break;
  }
  return y.view({Bsz, L, s.heads, s.head_dim}).transpose(1, 2);  // [B, H, L, P] view of y
}

// [B, H, L, P] -> [B, L, H * P], the layout out_proj reads (a view when the heads are one).
static at::Tensor heads_to_channels(const at::Tensor& heads) {
  return heads.transpose(1, 2).reshape({heads.size(0), heads.size(2), heads.size(1) * heads.size(3)});
}

at::Tensor Mamba2Mixer::output_projection(const at::Tensor& heads) const { return out_proj_(heads_to_channels(heads)); }

// ---- DiscreteMamba2 (Llamba) ---------------------------------------------------------------------

DiscreteMamba2Mixer::DiscreteMamba2Mixer(const Weights& w, const std::string& m, const ssm::SsmConfig& s) : cfg_(s) {
  const int64_t conv_dim = s.d_inner + 2 * s.groups * s.d_state;
  in_proj_ = read_linear(w, m + "in_proj", s.d_model, conv_dim + s.d_inner + s.heads, s.proj_bias);
  out_proj_ = read_linear(w, m + "out_proj", s.d_inner, s.d_model, s.proj_bias);
  if (!s.proj_bias) z_bias_ = w.get(m + "z_bias", {s.d_inner});  // present exactly when the projections have no bias
  conv_w_ = w.get(m + "conv1d.weight", {conv_dim, 1, s.d_conv});
  if (s.conv_bias) conv_b_ = w.get(m + "conv1d.bias", {conv_dim});
  D_ = w.get(m + "D", {s.heads});
}

at::Tensor DiscreteMamba2Mixer::per_head_outputs(const at::Tensor& x, MixerCall& call, const MixerContext&) const {
  const auto& s = cfg_;
  const int64_t Bsz = x.size(0), L = x.size(1), GN = s.groups * s.d_state, conv_dim = s.d_inner + 2 * GN;
  const at::Tensor proj = in_proj_(x);
  at::Tensor xBC = ssm::causal_conv(proj.narrow(-1, 0, conv_dim), conv_w_, conv_b_);
  if (s.conv_activation == "silu" || s.conv_activation == "swish") xBC = at::silu(xBC);
  const at::Tensor z = proj.narrow(-1, conv_dim, s.d_inner);
  const at::Tensor a = proj.narrow(-1, conv_dim + s.d_inner, s.heads).to(at::kFloat);
  mixing::SsdInputs in;
  in.x = xBC.narrow(-1, 0, s.d_inner).reshape({Bsz, L, s.heads, s.head_dim});
  in.B = xBC.narrow(-1, s.d_inner, GN).reshape({Bsz, L, s.groups, s.d_state});
  in.C = xBC.narrow(-1, s.d_inner + GN, GN).reshape({Bsz, L, s.groups, s.d_state});
  // Per step the state decays by exp(-softplus(a)) and takes x unscaled: dt = softplus(a), A = -1, weight 1.
  in.dt = at::softplus(a);
  in.A = -at::ones({s.heads}, a.options());
  in.weight = at::ones_like(a);
  if (call.want_factors && gives_factors(call)) call.factors = ssd_factors(in);
  at::Tensor y = mixing::ssd_chunked(in);
  const at::Tensor xf = in.x.to(at::kFloat);
  at::Tensor map = call.capture ? mixing::ssd_matrix(in) : at::Tensor();
  at::Tensor y_heads = y.transpose(1, 2);
  if (!call.ablate.empty()) uniform_heads(call, map, y_heads, xf.transpose(1, 2));
  if (map.defined()) capture(call, map);
  y = (y + xf * D_.to(at::kFloat).view({1, 1, s.heads, 1})).reshape({Bsz, L, s.d_inner}).to(x.scalar_type());
  y = y * at::silu(z_bias_.defined() ? z + z_bias_ : z);
  return y.view({Bsz, L, s.heads, s.head_dim}).transpose(1, 2);
}

at::Tensor DiscreteMamba2Mixer::output_projection(const at::Tensor& heads) const {
  return out_proj_(heads_to_channels(heads));
}

// ---- Mamba-1 -------------------------------------------------------------------------------------

Mamba1Mixer::Mamba1Mixer(const Weights& w, const std::string& m, const ssm::SsmConfig& s) : cfg_(s) {
  A_ = -w.get(m + "A_log", {s.d_inner, s.d_state}).to(at::kFloat).exp();
  D_ = w.get(m + "D", {s.d_inner}).to(at::kFloat);
  conv_w_ = w.get(m + "conv1d.weight", {s.d_inner, 1, s.d_conv});
  if (s.conv_bias) conv_b_ = w.get(m + "conv1d.bias", {s.d_inner});
  in_proj_ = read_linear(w, m + "in_proj", s.d_model, 2 * s.d_inner, s.proj_bias);
  x_proj_ = read_linear(w, m + "x_proj", s.d_inner, s.dt_rank + 2 * s.d_state, false);
  dt_proj_ = read_linear(w, m + "dt_proj", s.dt_rank, s.d_inner, true);
  out_proj_ = read_linear(w, m + "out_proj", s.d_inner, s.d_model, s.proj_bias);
  if (s.dt_bc_norm == ssm::SsmConfig::DtBcNorm::Weighted) {
    dt_norm_ = w.get(m + "dt_layernorm.weight", {s.dt_rank});
    b_norm_ = w.get(m + "b_layernorm.weight", {s.d_state});
    c_norm_ = w.get(m + "c_layernorm.weight", {s.d_state});
  }
}

bool Mamba1Mixer::gives_factors(const MixerCall& call) const {
  return call.view == MixingView::Direct && !any_uniform(call);
}

at::Tensor Mamba1Mixer::per_head_outputs(const at::Tensor& x, MixerCall& call, const MixerContext&) const {
  const auto& s = cfg_;
  const int64_t Bsz = x.size(0), L = x.size(1), g = std::max(1, call.channel_group);
  if (s.d_inner % g) throw Error("channel group " + std::to_string(g) + " does not divide " + std::to_string(s.d_inner) + " channels");
  const at::Tensor xz = in_proj_(x);
  const at::Tensor u = xz.narrow(-1, 0, s.d_inner), z = xz.narrow(-1, s.d_inner, s.d_inner);
  const at::Tensor conv = ssm::causal_conv(u, conv_w_, conv_b_);
  const at::Tensor xs = at::silu(conv);
  const at::Tensor dbc = x_proj_(xs);
  at::Tensor dt = dbc.narrow(-1, 0, s.dt_rank), B = dbc.narrow(-1, s.dt_rank, s.d_state),
             C = dbc.narrow(-1, s.dt_rank + s.d_state, s.d_state);
  if (s.dt_bc_norm != ssm::SsmConfig::DtBcNorm::None) {
    // Falcon-Mamba: no weight, mixer_rms_eps; Jamba: weighted, rms_norm_eps.
    dt = blocks::rms_norm(dt, dt_norm_, s.dt_bc_eps);
    B = blocks::rms_norm(B, b_norm_, s.dt_bc_eps);
    C = blocks::rms_norm(C, c_norm_, s.dt_bc_eps);
  }
  mixing::Mamba1Inputs in;
  in.dt = at::softplus(dt_proj_(dt).to(at::kFloat));
  in.B = B;
  in.C = C;
  in.A = A_;
  if (call.want_factors && gives_factors(call)) {
    MixingFactors& f = call.factors;
    f.form = MixingFactors::Form::Selective;
    f.C = C, f.B = B, f.A = A_;
    f.dt_input = dt, f.dt_weight = dt_proj_.weight, f.dt_bias = dt_proj_.bias;
    f.channels_per_head = g;
  }
  const at::Tensor xf = xs.to(at::kFloat);
  at::Tensor y = mixing::mamba1_scan(in, xf);  // [B, L, D]
  // Head h covers channels [h * g, (h + 1) * g).
  const auto as_heads = [&](const at::Tensor& t) { return t.view({Bsz, L, s.d_inner / g, g}).permute({0, 2, 1, 3}); };
  at::Tensor no_map, y_heads = as_heads(y);
  if (!call.ablate.empty()) uniform_heads(call, no_map, y_heads, as_heads(xf));
  const at::Tensor gate = at::silu(z.to(at::kFloat));
  if (call.capture) capture(call, capture_maps(in.dt, B, C, conv, gate, call, L, g));
  y = (y + xf * D_) * gate;
  return as_heads(y);  // [B, heads, L, g] view of y (float32)
}

at::Tensor Mamba1Mixer::output_projection(const at::Tensor& heads) const {
  // Back to the run dtype, which the convolution weight is read in (out_proj's
  // may be kept narrower: Weights::get_matrix).
  return out_proj_(heads_to_channels(heads).to(conv_w_.scalar_type()));
}

// Direct: M_d. Effective: diag(gate_d) M_d diag(s_d) W_d, where s = silu(u)/u
// at each position (the SiLU's exact gain on this input) and W_d the
// causal conv's Toeplitz matrix: the map from channel d's pre-conv input to
// its gated output (the conv bias, not attributable to a token, left out).
at::Tensor Mamba1Mixer::capture_maps(const at::Tensor& dt, const at::Tensor& B, const at::Tensor& C, const at::Tensor& conv,
                                     const at::Tensor& gate, const MixerCall& call, int64_t L, int64_t g) const {
  const bool effective = call.view == MixingView::Effective;
  mixing::Mamba1Inputs in;
  in.dt = dt, in.B = B, in.C = C, in.A = A_;
  at::Tensor m = mixing::mamba1_matrices(in, effective ? 1 : g);  // [B, D or D/g, L, L]
  if (effective) {
    const at::Tensor c = conv.to(at::kFloat);
    const at::Tensor gain = at::where(c.abs() > 1e-12, at::silu(c) / c, at::full_like(c, 0.5));  // silu'(0) = 1/2
    const int64_t K = conv_w_.size(-1);
    const at::Tensor taps = conv_w_.to(at::kFloat).select(1, 0);  // [D, K]; tap k reads position j - (K-1-k)
    at::Tensor toeplitz = at::zeros({cfg_.d_inner, L, L}, m.options());
    for (int64_t k = 0; k < K; ++k) {
      const int64_t lag = K - 1 - k;
      if (lag >= L) continue;
      toeplitz.diagonal(-lag, 1, 2).add_(taps.select(1, k).unsqueeze(-1));
    }
    m = m * gain.transpose(1, 2).unsqueeze(-2);  // * s_j
    m = at::matmul(m, toeplitz.unsqueeze(0));    // * W
    m = m * gate.transpose(1, 2).unsqueeze(-1);  // gate_i *
    if (g > 1) m = m.view({m.size(0), cfg_.d_inner / g, g, L, L}).mean(2);
    return m;
  }
  at::Tensor uniform;
  for (const auto& [head, mode] : call.ablate)
    if (mode == AblationMode::Uniform) {
      if (!uniform.defined()) uniform = uniform_causal(L, m.options());
      m.select(1, head).copy_(uniform);
    }
  return m;
}

}  // namespace attnscope::blocks
