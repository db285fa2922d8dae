#include "core/models/ssm/mamba2_mixer.h"

#include "core/mixing/ssd.h"
#include "core/models/blocks/attention.h"
#include "core/models/ssm/ssm_blocks.h"

namespace attnscope::ssm {

Mamba2Mixer Mamba2Mixer::read(const Weights& w, const std::string& m, const SsmConfig& s) {
  const int64_t conv_dim = s.d_inner + 2 * s.groups * s.d_state;
  const int64_t proj = 2 * s.d_inner + 2 * s.groups * s.d_state + s.heads;
  Mamba2Mixer mx;
  // A_log stays a parameter (A = -exp(A_log) per call) so the trainer can learn it.
  mx.A_log = w.get(m + "A_log", {s.heads});
  mx.D = w.get(m + "D", {s.heads});
  mx.dt_bias = w.get(m + "dt_bias", {s.heads});
  mx.conv_w = w.get(m + "conv1d.weight", {conv_dim, 1, s.d_conv});
  if (s.conv_bias) mx.conv_b = w.get(m + "conv1d.bias", {conv_dim});
  mx.gate_norm = w.get(m + "norm.weight", {s.d_inner});
  mx.in_proj = {w.get(m + "in_proj.weight", {proj, s.d_model}), s.proj_bias ? w.get(m + "in_proj.bias", {proj}) : at::Tensor()};
  mx.out_proj = {w.get(m + "out_proj.weight", {s.d_model, s.d_inner}), s.proj_bias ? w.get(m + "out_proj.bias", {s.d_model}) : at::Tensor()};
  return mx;
}

at::Tensor Mamba2Mixer::forward(const at::Tensor& x, LayerCall& call, const SsmConfig& s) const {
  const int64_t Bsz = x.size(0), L = x.size(1), GN = s.groups * s.d_state;
  at::Tensor zxbcdt = in_proj(x);
  at::Tensor z = zxbcdt.narrow(-1, 0, s.d_inner);
  at::Tensor xBC = at::silu(causal_conv(zxbcdt.narrow(-1, s.d_inner, s.d_inner + 2 * GN), conv_w, conv_b));
  at::Tensor dt = at::softplus(zxbcdt.narrow(-1, 2 * s.d_inner + 2 * GN, s.heads).to(at::kFloat) + dt_bias.to(at::kFloat));
  if (s.dt_min > 0 || s.dt_max > 0) dt = dt.clamp(s.dt_min, s.dt_max > 0 ? s.dt_max : 1e30);
  mixing::SsdInputs in;
  in.x = xBC.narrow(-1, 0, s.d_inner).reshape({Bsz, L, s.heads, s.head_dim});
  in.B = xBC.narrow(-1, s.d_inner, GN).reshape({Bsz, L, s.groups, s.d_state});
  in.C = xBC.narrow(-1, s.d_inner + GN, GN).reshape({Bsz, L, s.groups, s.d_state});
  in.dt = dt;
  in.A = -A_log.to(at::kFloat).exp();
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
  y = y + xf * D.to(at::kFloat).view({1, 1, s.heads, 1});
  y = gated_rms_norm(y.reshape({Bsz, L, s.d_inner}).to(x.scalar_type()), z, gate_norm, s.groups, s.gate_eps,
                     s.norm_before_gate);
  // Zero / mean ablation: the head's slice of out_proj's input.
  at::Tensor heads = y.view({Bsz, L, s.heads, s.head_dim}).transpose(1, 2);  // [B, H, L, P] view of y
  blocks::ablate_head_outputs(heads, call);
  return out_proj(y);
}

}  // namespace attnscope::ssm
