#include "core/models/config/ssm_config.h"

#include <cmath>

#include "core/util/error.h"

namespace attnscope::ssm {
namespace {
using io::Config;

// mamba_ssm's own dialect has no model_type and keeps the mixer sizes in ssm_cfg.
bool hf_dialect(const Config& c) { return c.has("model_type"); }

int64_t padded_vocab(const Config& c) {
  int64_t vocab = c.get_size("vocab_size");
  const int64_t multiple = c.get_size("pad_vocab_size_multiple", 1, 1 << 16);
  if (!hf_dialect(c) && vocab % multiple) vocab += multiple - vocab % multiple;
  return vocab;
}

void read_common(const Config& c, const Config& cfg, SsmConfig& s) {
  s.d_model = c.get_size_any({"hidden_size", "d_model"});
  s.layers = c.get_size_any({"num_hidden_layers", "n_layer"});
  s.vocab = padded_vocab(c);
  s.eps = hf_dialect(c) ? c.get_positive("layer_norm_epsilon", 1e-5) : 1e-5;
  s.gate_eps = s.eps;
  s.tied = c.get_bool("tie_word_embeddings", c.get_bool("tie_embeddings", true));
  s.conv_bias = c.get_bool("use_conv_bias", cfg.get_bool("conv_bias", true));
  s.proj_bias = c.get_bool("use_bias", cfg.get_bool("bias", false));
  s.d_conv = c.get_size("conv_kernel", cfg.get_size("d_conv", 4, 1024), 1024);
  const int64_t expand = c.get_size("expand", cfg.get_size("expand", 2, 1024), 1024);
  s.d_inner = c.has("intermediate_size") ? c.get_size("intermediate_size")
                                          : checked_size_product(c, expand, s.d_model, "expand x hidden_size");
  read_time_step_limit(c, "time_step_limit", s);
}
}  // namespace

void read_time_step_limit(const Config& c, const std::string& key, SsmConfig& s) {
  if (!c.has(key)) return;
  const auto& limit = c.json()[key];
  // JSON has no infinity: null (or a missing second value's stand-in) means no upper limit.
  if (!limit.is_array() || limit.size() != 2 || !limit[0].is_number() || !(limit[1].is_number() || limit[1].is_null()))
    fail_file(c.origin(), "'" + key + "' must be [low, high]");
  const double lo = limit[0].get<double>(), hi = limit[1].is_null() ? INFINITY : limit[1].get<double>();
  if (!std::isfinite(lo) || lo < 0 || std::isnan(hi) || hi < lo)
    fail_file(c.origin(), "'" + key + "' must be [low, high] with 0 <= low <= high");
  s.dt_min = lo;
  s.dt_max = std::isfinite(hi) ? hi : 0;
}

int64_t checked_size_product(const Config& c, int64_t a, int64_t b, const std::string& what) {
  if (a > Config::kMaxSize / b)
    fail_file(c.origin(), what + " (" + std::to_string(a) + " x " + std::to_string(b) + ") is more than the " +
                              std::to_string(Config::kMaxSize) + " AttnScope accepts");
  return a * b;
}

SsmConfig read_mamba2_config(const Config& c) {
  SsmConfig s;
  const Config cfg = c.section("ssm_cfg");
  read_common(c, cfg, s);
  s.d_state = c.get_size("state_size", cfg.get_size("d_state", 128, 1 << 16), 1 << 16);
  s.groups = c.get_size("n_groups", cfg.get_size("ngroups", 1, 1 << 16), 1 << 16);
  s.head_dim = c.get_size("head_dim", cfg.get_size("headdim", 64, 1 << 16), 1 << 16);
  if (!c.has("num_heads") && s.d_inner % s.head_dim)
    fail_file(c.origin(), "the inner width " + std::to_string(s.d_inner) + " is not a multiple of head_dim " +
                              std::to_string(s.head_dim));
  s.heads = c.get_size("num_heads", s.d_inner / s.head_dim, 1 << 20);
  if (s.heads * s.head_dim != s.d_inner)
    fail_file(c.origin(), "num_heads x head_dim (" + std::to_string(s.heads) + " x " + std::to_string(s.head_dim) +
                              ") does not equal the inner width " + std::to_string(s.d_inner));
  if (s.heads % s.groups)
    fail_file(c.origin(), "num_heads (" + std::to_string(s.heads) + ") is not a multiple of n_groups (" +
                              std::to_string(s.groups) + ")");
  s.norm_before_gate = c.get_bool("norm_before_gate", cfg.get_bool("norm_before_gate", false));
  return s;
}

SsmConfig read_mamba1_config(const Config& c) {
  SsmConfig s;
  const Config cfg = c.section("ssm_cfg");
  read_common(c, cfg, s);
  s.d_state = c.get_size("state_size", cfg.get_size("d_state", 16, 1 << 16), 1 << 16);
  const auto auto_rank = static_cast<int64_t>(std::ceil(s.d_model / 16.0));
  // "auto" (a string) or a number, in either dialect.
  const bool hf_rank = c.has("time_step_rank") && c.json()["time_step_rank"].is_number();
  const bool ssm_rank = cfg.has("dt_rank") && cfg.json()["dt_rank"].is_number();
  s.dt_rank = hf_rank ? c.get_size("time_step_rank") : ssm_rank ? cfg.get_size("dt_rank") : auto_rank;
  return s;
}

namespace {
// Every layer alike, no position limit.
ModelInfo ssm_info(const char* family, const SsmConfig& s, LayerInfo layer) {
  ModelInfo info;
  info.family = family;
  info.num_layers = static_cast<int>(s.layers);
  info.hidden_size = static_cast<int>(s.d_model);
  info.vocab_size = s.vocab;
  info.layers.assign(s.layers, layer);
  return info;
}
}  // namespace

ModelInfo describe_mamba(const Config& c) {
  const SsmConfig s = read_mamba1_config(c);
  return ssm_info("mamba", s, single_mixer_layer(mamba1_mixer_info(s.d_inner, s.d_state)));
}

ModelInfo describe_mamba2(const Config& c) {
  const SsmConfig s = read_mamba2_config(c);
  return ssm_info("mamba2", s, single_mixer_layer(mamba2_mixer_info(s.heads, s.d_state)));
}

SsmConfig read_falcon_mamba_config(const Config& c) {
  SsmConfig s = read_mamba1_config(c);
  // After x_proj, dt, B and C each pass an RMS norm without a weight.
  s.dt_bc_norm = SsmConfig::DtBcNorm::Weightless;
  s.dt_bc_eps = c.get_positive("mixer_rms_eps", 1e-6);
  return s;
}

ModelInfo describe_falcon_mamba(const Config& c) {
  const SsmConfig s = read_falcon_mamba_config(c);
  return ssm_info("falcon_mamba", s, single_mixer_layer(mamba1_mixer_info(s.d_inner, s.d_state)));
}

}  // namespace attnscope::ssm
