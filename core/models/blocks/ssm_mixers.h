#pragma once
// The state-space mixers, as the families' checkpoints store them:
//  Mamba2Mixer         in_proj -> [z | x B C | dt], causal conv + SiLU on xBC,
//                      SSD scan per head (A = -exp(A_log)), D skip, gate and
//                      RMSNorm (grouped, full width or none), out_proj; the
//                      Falcon-H1 multipliers when its config sets them.
//  DiscreteMamba2Mixer Llamba: in_proj -> [x B C | z | a], conv (identity),
//                      decay exp(-softplus(a)) with no dt factor, D skip,
//                      y * silu(z + z_bias), out_proj.
//  Mamba1Mixer         in_proj -> [x | z], conv + SiLU, x_proj -> dt, B, C
//                      (RMS-normed in Falcon-Mamba and Jamba), dt_proj +
//                      softplus, selective scan per channel, D skip, SiLU(z)
//                      gate, out_proj. Each channel is a head.
// Maps: the SSD matrix M with y = M x + D x per head; the implied kernel per
// channel for Mamba-1 (core/mixing).
#include <ATen/ATen.h>

#include <string>

#include "core/models/blocks/linear.h"
#include "core/models/blocks/mixer.h"
#include "core/models/config/ssm_config.h"
#include "core/models/weights.h"

namespace attnscope::blocks {

class Mamba2Mixer : public Mixer {
 public:
  // Reads `<prefix>A_log`, `D`, `dt_bias`, `conv1d.*`, `norm.weight` (unless
  // gate_norm is None), `in_proj.*`, `out_proj.*`.
  Mamba2Mixer(const Weights& w, const std::string& prefix, const ssm::SsmConfig& config);
  MixerInfo info() const override { return mamba2_mixer_info(cfg_.heads, cfg_.d_state); }

 protected:
  at::Tensor per_head_outputs(const at::Tensor& x, MixerCall& call, const MixerContext& context) const override;
  at::Tensor output_projection(const at::Tensor& heads) const override;

 private:
  ssm::SsmConfig cfg_;
  at::Tensor A_log_, D_, dt_bias_, conv_w_, conv_b_, gate_norm_, mup_;
  Linear in_proj_, out_proj_;
};

class DiscreteMamba2Mixer : public Mixer {
 public:
  // cfg.heads = n_v_heads, cfg.groups = n_qk_heads, cfg.d_state, cfg.d_inner.
  DiscreteMamba2Mixer(const Weights& w, const std::string& prefix, const ssm::SsmConfig& config);
  MixerInfo info() const override { return discrete_mamba2_mixer_info(cfg_.heads, cfg_.d_state); }

 protected:
  at::Tensor per_head_outputs(const at::Tensor& x, MixerCall& call, const MixerContext& context) const override;
  at::Tensor output_projection(const at::Tensor& heads) const override;

 private:
  ssm::SsmConfig cfg_;
  at::Tensor D_, conv_w_, conv_b_, z_bias_;
  Linear in_proj_, out_proj_;
};

class Mamba1Mixer : public Mixer {
 public:
  // Reads `<prefix>A_log`, `D`, `conv1d.*`, `in_proj.*`, `x_proj.weight`,
  // `dt_proj.*`, `out_proj.*`, and `{dt,b,c}_layernorm.weight` when the
  // norms are weighted (Jamba).
  Mamba1Mixer(const Weights& w, const std::string& prefix, const ssm::SsmConfig& config);
  MixerInfo info() const override { return mamba1_mixer_info(cfg_.d_inner, cfg_.d_state); }

 protected:
  at::Tensor per_head_outputs(const at::Tensor& x, MixerCall& call, const MixerContext& context) const override;
  at::Tensor output_projection(const at::Tensor& heads) const override;

 private:
  at::Tensor capture_maps(const at::Tensor& dt, const at::Tensor& B, const at::Tensor& C, const at::Tensor& conv,
                          const at::Tensor& gate, const MixerCall& call, int64_t L, int64_t g) const;
  ssm::SsmConfig cfg_;
  at::Tensor A_, D_, conv_w_, conv_b_, dt_norm_, b_norm_, c_norm_;
  Linear in_proj_, x_proj_, dt_proj_, out_proj_;
};

}  // namespace attnscope::blocks
