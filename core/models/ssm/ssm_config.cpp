#include "core/models/ssm/ssm_config.h"

#include <cmath>

#include "core/util/error.h"

namespace attnscope::ssm {
namespace {
// mamba_ssm's own dialect keeps the mixer sizes in ssm_cfg.
const nlohmann::json& ssm_cfg(const io::Config& c) {
  static const nlohmann::json empty = nlohmann::json::object();
  const auto& j = c.json();
  return j.contains("ssm_cfg") && j["ssm_cfg"].is_object() ? j["ssm_cfg"] : empty;
}

int64_t padded_vocab(const io::Config& c) {
  int64_t vocab = c.get_int("vocab_size");
  const int64_t multiple = c.get_int("pad_vocab_size_multiple", 1);
  if (!c.has("model_type") && multiple > 1 && vocab % multiple) vocab += multiple - vocab % multiple;
  return vocab;
}

void read_common(const io::Config& c, SsmConfig& s) {
  s.d_model = c.get_int_any({"hidden_size", "d_model"});
  s.layers = c.get_int_any({"num_hidden_layers", "n_layer"});
  s.vocab = padded_vocab(c);
  s.eps = c.get_double("layer_norm_epsilon", c.get_double("norm_epsilon", 1e-5));
  s.tied = c.get_bool("tie_word_embeddings", c.get_bool("tie_embeddings", true));
  s.conv_bias = c.get_bool("use_conv_bias", ssm_cfg(c).value("conv_bias", true));
  s.proj_bias = c.get_bool("use_bias", ssm_cfg(c).value("bias", false));
  s.d_conv = c.get_int("conv_kernel", ssm_cfg(c).value("d_conv", 4));
  s.d_inner = c.get_int("intermediate_size", c.get_int("expand", ssm_cfg(c).value("expand", 2)) * s.d_model);
  if (c.has("time_step_limit") && c.json()["time_step_limit"].is_array() && c.json()["time_step_limit"].size() == 2) {
    s.dt_min = c.json()["time_step_limit"][0].get<double>();
    const double hi = c.json()["time_step_limit"][1].get<double>();
    s.dt_max = std::isfinite(hi) ? hi : 0;
  }
}
}  // namespace

SsmConfig read_mamba2_config(const io::Config& c) {
  SsmConfig s;
  read_common(c, s);
  const auto& cfg = ssm_cfg(c);
  s.d_state = c.get_int("state_size", cfg.value("d_state", 128));
  s.groups = c.get_int("n_groups", cfg.value("ngroups", 1));
  s.head_dim = c.get_int("head_dim", cfg.value("headdim", 64));
  s.heads = c.get_int("num_heads", s.d_inner / s.head_dim);
  if (s.heads * s.head_dim != s.d_inner)
    fail_file(c.origin(), "num_heads x head_dim (" + std::to_string(s.heads) + " x " + std::to_string(s.head_dim) +
                              ") does not equal the inner width " + std::to_string(s.d_inner));
  if (s.heads % s.groups) fail_file(c.origin(), "num_heads is not a multiple of n_groups");
  s.norm_before_gate = c.get_bool("norm_before_gate", cfg.value("norm_before_gate", false));
  return s;
}

SsmConfig read_mamba1_config(const io::Config& c) {
  SsmConfig s;
  read_common(c, s);
  const auto& cfg = ssm_cfg(c);
  s.d_state = c.get_int("state_size", cfg.value("d_state", 16));
  const auto auto_rank = static_cast<int64_t>(std::ceil(s.d_model / 16.0));
  if (c.has("time_step_rank") && c.json()["time_step_rank"].is_number()) s.dt_rank = c.get_int("time_step_rank");
  else if (cfg.contains("dt_rank") && cfg["dt_rank"].is_number()) s.dt_rank = cfg["dt_rank"].get<int64_t>();
  else s.dt_rank = auto_rank;
  return s;
}

}  // namespace attnscope::ssm
