#pragma once
// One Mamba-2 mixer (in_proj split z | xBC | dt, causal conv on xBC, SSD scan
// with per-head scalar A and groups sharing B and C, D skip, gated RMSNorm
// with one norm group per n_groups, out_proj), shared by the mamba2 family
// and the mamba2 layers of attnscope_hybrid. A head's map is its SSD matrix
// M with y = M x + D x (core/mixing/ssd.h).
#include <ATen/ATen.h>

#include <string>

#include "core/models/blocks/linear.h"
#include "core/models/model.h"
#include "core/models/config/ssm_config.h"
#include "core/models/weights.h"

namespace attnscope::ssm {

struct Mamba2Mixer {
  at::Tensor A_log, D, dt_bias, conv_w, conv_b, gate_norm;
  blocks::Linear in_proj, out_proj;

  // Reads `<prefix>A_log`, `D`, `dt_bias`, `conv1d.*`, `norm.weight`, `in_proj.*`, `out_proj.*`.
  static Mamba2Mixer read(const Weights& w, const std::string& prefix, const SsmConfig& cfg);
  // x: the normed block input [B, L, d_model]; returns out_proj's output.
  at::Tensor forward(const at::Tensor& x, LayerCall& call, const SsmConfig& cfg) const;
};

}  // namespace attnscope::ssm
