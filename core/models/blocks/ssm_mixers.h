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
// A Mamba-2 mixer may compute some heads by softmax attention instead of the
// scan (head replacement, core/train/graft.h): such a head's y = P x + D x,
// with P = causal softmax(q k^T / sqrt(dk)) times a learnt gain, q and k its
// own projections of the mixer's input, x its own SSM values; gate, norm and
// out_proj as before.
#include <ATen/ATen.h>

#include <string>
#include <vector>

#include "core/models/blocks/linear.h"
#include "core/models/blocks/mixer.h"
#include "core/models/config/ssm_config.h"
#include "core/models/weights.h"

namespace attnscope::blocks {

// Heads of a Mamba-2 mixer computed by softmax attention, and the size of their queries and keys.
struct AttentionHeadsSpec {
  std::vector<int> heads;
  int64_t head_dim = 0;
};

class Mamba2Mixer : public Mixer {
 public:
  // Reads `<prefix>A_log`, `D`, `dt_bias`, `conv1d.*`, `norm.weight` (unless
  // gate_norm is None), `in_proj.*`, `out_proj.*`, and for each attention
  // head h `<prefix>attention_heads.<h>.{q_proj,k_proj}.weight` [head_dim, d_model] and `log_gain` [1].
  Mamba2Mixer(const Weights& w, const std::string& prefix, const ssm::SsmConfig& config,
              const AttentionHeadsSpec& attention_heads = {});
  MixerInfo info() const override;

 protected:
  at::Tensor per_head_outputs(const at::Tensor& x, MixerCall& call, const MixerContext& context) const override;
  at::Tensor output_projection(const at::Tensor& heads) const override;
  bool gives_factors(const MixerCall& call) const override;

 private:
  // y [B, L, H, P] with the attention heads' slices computed by attention; their maps into `map` when defined.
  at::Tensor attend(const at::Tensor& input, const at::Tensor& values, at::Tensor y, at::Tensor& map) const;
  struct AttentionHead {
    int head;
    Linear q, k;
    at::Tensor log_gain;  // [1]: the head's output is exp(log_gain) P x
  };
  ssm::SsmConfig cfg_;
  at::Tensor A_log_, D_, dt_bias_, conv_w_, conv_b_, gate_norm_, mup_;
  Linear in_proj_, out_proj_;
  std::vector<AttentionHead> attention_heads_;
};

class DiscreteMamba2Mixer : public Mixer {
 public:
  // cfg.heads = n_v_heads, cfg.groups = n_qk_heads, cfg.d_state, cfg.d_inner.
  DiscreteMamba2Mixer(const Weights& w, const std::string& prefix, const ssm::SsmConfig& config);
  MixerInfo info() const override { return discrete_mamba2_mixer_info(cfg_.heads, cfg_.d_state); }

 protected:
  at::Tensor per_head_outputs(const at::Tensor& x, MixerCall& call, const MixerContext& context) const override;
  at::Tensor output_projection(const at::Tensor& heads) const override;
  bool gives_factors(const MixerCall& call) const override;

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
  // The direct view's maps (the effective view folds in the conv and gate, which are not factors).
  bool gives_factors(const MixerCall& call) const override;

 private:
  at::Tensor capture_maps(const at::Tensor& dt, const at::Tensor& B, const at::Tensor& C, const at::Tensor& conv,
                          const at::Tensor& gate, const MixerCall& call, int64_t L, int64_t g) const;
  ssm::SsmConfig cfg_;
  at::Tensor A_, D_, conv_w_, conv_b_, dt_norm_, b_norm_, c_norm_;
  Linear in_proj_, x_proj_, dt_proj_, out_proj_;
};

}  // namespace attnscope::blocks
