#pragma once
// Mamba-1 and Mamba-2 sizes from either config dialect: Hugging Face's
// (hidden_size, state_size, num_heads, ...) or mamba_ssm's own as the
// state-spaces checkpoints ship it (d_model, n_layer, ssm_cfg{...}) with
// mamba_ssm's defaults. Every size is validated (positive, divisible, no
// overflow) with the key named; no LibTorch.
#include <cstdint>
#include <string>
#include <vector>

#include "core/io/config.h"
#include "core/models/model_info.h"

namespace attnscope::ssm {

struct SsmConfig {
  int64_t d_model = 0, layers = 0, vocab = 0;
  int64_t d_inner = 0, d_state = 0, d_conv = 4;
  int64_t heads = 0, head_dim = 0, groups = 1;  // Mamba-2 (DiscreteMamba2: groups = qk heads)
  int64_t dt_rank = 0;                          // Mamba-1
  double eps = 1e-5;       // the blocks' RMSNorm
  double gate_eps = 1e-5;  // Mamba-2's gated RMSNorm (mamba_ssm: always 1e-5)
  bool conv_bias = true, proj_bias = false, tied = true;
  double dt_min = 0, dt_max = 0;  // time_step_limit; dt_max 0 means no upper limit
  bool norm_before_gate = false;
  // How the hybrids' Mamba-2 mixers differ from mamba2's own:
  enum class GateNorm { Grouped, Full, None } gate_norm = GateNorm::Grouped;  // Bamba: full width; Falcon-H1: optional
  bool out_proj_bias = false;       // Falcon-H1's projectors_bias (default: proj_bias)
  double in_multiplier = 1;         // Falcon-H1's ssm_in_multiplier
  std::vector<double> mup;          // Falcon-H1: a factor per in_proj block [z, x, B, C, dt]
  // Mamba-1 (Falcon-Mamba, Jamba): RMSNorms on dt, B and C after x_proj.
  enum class DtBcNorm { None, Weightless, Weighted } dt_bc_norm = DtBcNorm::None;
  double dt_bc_eps = 1e-6;
  std::string conv_activation = "silu";  // DiscreteMamba2: "identity" in the released models
};

SsmConfig read_mamba2_config(const io::Config& config);
// `key`: [low, high] (high may be null for no limit) into dt_min, dt_max; nothing when absent.
void read_time_step_limit(const io::Config& config, const std::string& key, SsmConfig& s);
SsmConfig read_mamba1_config(const io::Config& config);

// A product of two validated sizes that must itself stay a size.
int64_t checked_size_product(const io::Config& config, int64_t a, int64_t b, const std::string& what);

ModelInfo describe_mamba(const io::Config& config);
ModelInfo describe_mamba2(const io::Config& config);

// Falcon-Mamba: Mamba-1 with weightless RMS norms on dt, B and C (mixer_rms_eps).
SsmConfig read_falcon_mamba_config(const io::Config& config);
ModelInfo describe_falcon_mamba(const io::Config& config);

}  // namespace attnscope::ssm
