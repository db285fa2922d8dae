#include "core/models/config/hybrid_families.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/util/error.h"

namespace attnscope {
namespace {
using io::Config;
constexpr int64_t kSmall = 1 << 16;  // head counts, state sizes, kernels

void require(bool ok, const Config& c, const std::string& problem) {
  if (!ok) fail_file(c.origin(), problem);
}

std::string read_act(const Config& c, const char* key, const char* fallback) {
  const std::string act = c.get_string(key, fallback);
  require(known_activation(act), c, std::string(key) + " '" + act + "' is not supported");
  return act;
}

// heads, kv_heads (null or absent: heads), head_dim (absent: hidden / heads).
AttentionConfig read_attention(const Config& c, int64_t hidden, const char* head_dim_key, int64_t kv_default = 0) {
  AttentionConfig a;
  a.heads = c.get_size("num_attention_heads", kSmall);
  a.kv_heads = c.get_size("num_key_value_heads", kv_default ? kv_default : a.heads, kSmall);
  require(a.heads % a.kv_heads == 0, c, "num_attention_heads is not a multiple of num_key_value_heads");
  if (!head_dim_key || !c.has(head_dim_key))
    require(hidden % a.heads == 0, c, "the hidden size is not a multiple of num_attention_heads");
  a.head_dim = head_dim_key ? c.get_size(head_dim_key, hidden / a.heads, kSmall) : hidden / a.heads;
  a.bias = c.get_bool("attention_bias", false);
  return a;
}

void with_rope(const Config& c, AttentionConfig& a, int64_t rotary_dim, double theta_default) {
  require(rotary_dim % 2 == 0, c, "rotary embeddings need an even number of dimensions per head");
  a.rotary_dim = rotary_dim;
  a.rope_theta = read_rope_theta(c, "rope_theta", theta_default);
  a.rope_scaling = read_rope_scaling(c);
}

// A Mamba-2 mixer from keys named by `k` (the families spell them differently).
struct Mamba2Keys {
  const char *heads, *head_dim, *groups, *state, *conv, *expand, *conv_bias, *proj_bias;
};
ssm::SsmConfig read_mamba2_keys(const Config& c, const Mamba2Keys& k, int64_t hidden, int64_t d_inner,
                                int64_t heads_default, int64_t state_default) {
  ssm::SsmConfig s;
  s.d_model = hidden;
  s.d_inner = d_inner;
  s.heads = c.get_size(k.heads, heads_default, 1 << 20);
  if (!c.has(k.head_dim) || (c.json()[k.head_dim].is_string() && c.json()[k.head_dim] == "auto"))
    require(s.d_inner % s.heads == 0, c, std::string("the inner width is not a multiple of ") + k.heads), s.head_dim = s.d_inner / s.heads;
  else
    s.head_dim = c.get_size(k.head_dim, kSmall);
  require(s.heads * s.head_dim == s.d_inner, c,
          std::string(k.heads) + " x " + k.head_dim + " (" + std::to_string(s.heads) + " x " + std::to_string(s.head_dim) +
              ") does not equal the inner width " + std::to_string(s.d_inner));
  s.groups = c.get_size(k.groups, 1, kSmall);
  require(s.heads % s.groups == 0, c, std::string(k.heads) + " is not a multiple of " + k.groups);
  s.d_state = c.get_size(k.state, state_default, kSmall);
  s.d_conv = c.get_size(k.conv, 4, 1024);
  s.conv_bias = c.get_bool(k.conv_bias, true);
  s.proj_bias = c.get_bool(k.proj_bias, false);
  if (c.has("time_step_limit")) {
    const auto& limit = c.json()["time_step_limit"];
    require(limit.is_array() && limit.size() == 2 && limit[0].is_number() && limit[1].is_number(), c,
            "'time_step_limit' must be [low, high]");
    const double lo = limit[0].get<double>(), hi = limit[1].get<double>();
    require(std::isfinite(lo) && lo >= 0 && !std::isnan(hi) && hi >= lo, c, "'time_step_limit' must be [low, high] with 0 <= low <= high");
    s.dt_min = lo, s.dt_max = std::isfinite(hi) ? hi : 0;
  }
  return s;
}

int64_t expanded(const Config& c, const char* key, int64_t hidden) {
  return ssm::checked_size_product(c, c.get_size(key, 2, 1024), hidden, std::string(key) + " x hidden_size");
}

ModelInfo model_info(const char* family, int64_t hidden, int64_t vocab, int64_t max_positions, std::vector<LayerInfo> layers) {
  ModelInfo info;
  info.family = family;
  info.num_layers = static_cast<int>(layers.size());
  info.hidden_size = static_cast<int>(hidden);
  info.vocab_size = vocab;
  info.max_positions = max_positions;
  info.layers = std::move(layers);
  return info;
}

MixerInfo attention_info(const AttentionConfig& a) {
  MixerInfo m = attention_mixer_info(a.heads, a.kv_heads);
  if (a.rotary_dim == 0) m.description += ", no positions";
  return m;
}
}  // namespace

LlambaConfig read_llamba_config(const Config& c) {
  LlambaConfig l;
  const Config s = c.section("ssm_cfg"), m = c.section("mlp_cfg");
  auto& q = l.ssm;
  q.d_model = c.get_size("d_model");
  q.layers = c.get_size("n_layer");
  const int64_t multiple = c.get_size("pad_vocab_size_multiple", 8, kSmall);
  q.vocab = c.get_size("vocab_size");
  if (q.vocab % multiple) q.vocab += multiple - q.vocab % multiple;
  q.d_inner = ssm::checked_size_product(c, s.get_size("expand", 1, 1024), q.d_model, "ssm_cfg expand x d_model");
  q.heads = s.get_size("n_v_heads", 32, kSmall);
  q.groups = s.get_size("n_qk_heads", 32, kSmall);
  require(q.d_inner % q.heads == 0, s, "the inner width is not a multiple of n_v_heads");
  require(q.heads % q.groups == 0, s, "n_v_heads is not a multiple of n_qk_heads");
  q.head_dim = q.d_inner / q.heads;
  q.d_state = s.get_size("d_state", 64, kSmall);
  q.d_conv = s.get_size("d_conv", 4, 1024);
  q.proj_bias = s.get_bool("bias", false);
  q.conv_bias = s.get_bool("conv_bias", true);
  q.conv_activation = s.get_string("activation", "identity");
  require(q.conv_activation == "identity" || q.conv_activation == "silu" || q.conv_activation == "swish", s,
          "activation '" + q.conv_activation + "' is not supported (identity or silu)");
  q.eps = 1e-5;  // the blocks' two RMSNorms: 1e-5 in Cartesia's Block, whatever norm_epsilon says
  q.tied = c.get_bool("tie_embeddings", false);
  l.final_eps = c.get_positive("norm_epsilon", 1e-5);
  l.mlp_inner = m.get_size("intermediate_size", 14336, io::Config::kMaxSize);
  l.mlp_bias = m.get_bool("bias", false);
  l.act = read_act(m, "act_fn", "silu");
  l.lm_head_bias = c.get_bool("lm_head_bias", false);
  return l;
}

JambaConfig read_jamba_config(const Config& c) {
  JambaConfig j;
  j.hidden = c.get_size("hidden_size");
  j.layers = c.get_size("num_hidden_layers");
  j.vocab = c.get_size("vocab_size");
  j.inner = c.get_size("intermediate_size", 14336, io::Config::kMaxSize);
  j.eps = c.get_positive("rms_norm_eps", 1e-6);
  j.act = read_act(c, "hidden_act", "silu");
  j.tied = c.get_bool("tie_word_embeddings", false);
  j.max_positions = c.get_size("max_position_embeddings", 0, io::Config::kMaxSize);
  if (c.has("sliding_window")) j.max_positions = std::min(j.max_positions ? j.max_positions : INT64_MAX, c.get_size("sliding_window"));
  j.attn = read_attention(c, j.hidden, nullptr, 8);
  j.experts = c.get_size("num_experts", 16, kSmall);
  j.top_k = c.get_size("num_experts_per_tok", 2, kSmall);
  require(j.top_k <= j.experts, c, "num_experts_per_tok is more than num_experts");
  const int64_t attn_period = c.get_size("attn_layer_period", 8, io::Config::kMaxSize);
  const int64_t attn_offset = c.get_int_in("attn_layer_offset", 4, 0, attn_period - 1);
  const int64_t moe_period = c.get_size("expert_layer_period", 2, io::Config::kMaxSize);
  const int64_t moe_offset = c.get_int_in("expert_layer_offset", 1, 0, moe_period - 1);
  for (int64_t i = 0; i < j.layers; ++i) {
    j.attention.push_back(i % attn_period == attn_offset);
    j.moe.push_back(j.experts > 1 && i % moe_period == moe_offset);
  }
  auto& m = j.mamba;
  m.d_model = j.hidden;
  m.d_inner = expanded(c, "mamba_expand", j.hidden);
  m.d_state = c.get_size("mamba_d_state", 16, kSmall);
  m.d_conv = c.get_size("mamba_d_conv", 4, 1024);
  const bool auto_rank = !c.has("mamba_dt_rank") || c.json()["mamba_dt_rank"].is_string();
  m.dt_rank = auto_rank ? (j.hidden + 15) / 16 : c.get_size("mamba_dt_rank", kSmall);
  m.conv_bias = c.get_bool("mamba_conv_bias", true);
  m.proj_bias = c.get_bool("mamba_proj_bias", false);
  m.dt_bc_norm = ssm::SsmConfig::DtBcNorm::Weighted;
  m.dt_bc_eps = j.eps;
  return j;
}

namespace {
const Mamba2Keys kBambaKeys{"mamba_n_heads", "mamba_d_head", "mamba_n_groups", "mamba_d_state",
                            "mamba_d_conv",  "mamba_expand", "mamba_conv_bias", "mamba_proj_bias"};

// What Bamba and Granite-4.0-H share: sizes, the Mamba-2 mixers (full-width gated norm).
BambaConfig read_bamba_common(const Config& c, double eps_default) {
  BambaConfig b;
  b.hidden = c.get_size("hidden_size");
  b.layers = c.get_size("num_hidden_layers");
  b.vocab = c.get_size("vocab_size");
  b.eps = c.get_positive("rms_norm_eps", eps_default);
  b.act = read_act(c, "hidden_act", "silu");
  b.tied = c.get_bool("tie_word_embeddings", false);
  b.max_positions = c.get_size("max_position_embeddings", 0, io::Config::kMaxSize);
  b.mamba = read_mamba2_keys(c, kBambaKeys, b.hidden, expanded(c, "mamba_expand", b.hidden), 128, 256);
  b.mamba.gate_norm = ssm::SsmConfig::GateNorm::Full;
  b.mamba.eps = b.mamba.gate_eps = b.eps;
  return b;
}
}  // namespace

BambaConfig read_bamba_config(const Config& c) {
  BambaConfig b = read_bamba_common(c, 1e-5);
  b.inner = c.get_size("intermediate_size", 14336, io::Config::kMaxSize);
  b.attention.assign(b.layers, false);
  if (c.has("attn_layer_indices")) {
    const auto& list = c.json()["attn_layer_indices"];
    require(list.is_array(), c, "'attn_layer_indices' must be a list of layer numbers");
    for (const auto& i : list) {
      require(i.is_number_integer() && i.get<int64_t>() >= 0 && i.get<int64_t>() < b.layers, c,
              "'attn_layer_indices' holds " + i.dump() + ", not a layer of this " + std::to_string(b.layers) + "-layer model");
      b.attention[i.get<int64_t>()] = true;
    }
  }
  b.attn = read_attention(c, b.hidden, nullptr, 8);
  // BambaConfig fixes partial_rotary_factor at 0.5 whatever the file says.
  with_rope(c, b.attn, b.attn.head_dim / 2, 10000);
  return b;
}

BambaConfig read_granite_hybrid_config(const Config& c) {
  BambaConfig g = read_bamba_common(c, 1e-6);
  const char* key = c.has("layer_types") ? "layer_types" : "layers_block_type";
  g.attention.assign(g.layers, false);
  if (c.has(key)) {
    const auto& list = c.json()[key];
    require(list.is_array() && static_cast<int64_t>(list.size()) == g.layers, c,
            std::string("'") + key + "' must list one type per layer (" + std::to_string(g.layers) + ")");
    for (size_t i = 0; i < list.size(); ++i) {
      require(list[i] == "mamba" || list[i] == "attention", c,
              std::string("'") + key + "' entries must be \"mamba\" or \"attention\", not " + list[i].dump());
      g.attention[i] = list[i] == "attention";
    }
  }
  if (std::count(g.attention.begin(), g.attention.end(), false) > 0)
    require(g.act == "silu" || g.act == "swish", c, "hidden_act '" + g.act + "' is also the Mamba conv's activation; AttnScope implements SiLU there");
  g.attn = read_attention(c, g.hidden, nullptr);
  if (c.get_string("position_embedding_type", "") == "rope") with_rope(c, g.attn, g.attn.head_dim, 10000);
  g.attn.scale = c.get_positive("attention_multiplier", 1.0);
  g.experts = c.get_int_in("num_local_experts", 8, 0, kSmall);
  g.top_k = g.experts ? c.get_size("num_experts_per_tok", 2, kSmall) : 0;
  require(g.top_k <= g.experts, c, "num_experts_per_tok is more than num_local_experts");
  g.inner = c.get_size("intermediate_size", 11008, io::Config::kMaxSize);
  g.shared_inner = c.get_size("shared_intermediate_size", 1024, io::Config::kMaxSize);
  g.embedding_multiplier = c.get_positive("embedding_multiplier", 1.0);
  g.residual_multiplier = c.get_positive("residual_multiplier", 1.0);
  g.logits_scaling = c.get_positive("logits_scaling", 1.0);
  return g;
}

NemotronHConfig read_nemotron_h_config(const Config& c) {
  NemotronHConfig n;
  n.hidden = c.get_size("hidden_size");
  n.vocab = c.get_size("vocab_size");
  n.pattern = c.get_string("hybrid_override_pattern");
  require(!n.pattern.empty() && n.pattern.find_first_not_of("M*-") == std::string::npos, c,
          "'hybrid_override_pattern' must be made of M (Mamba-2), * (attention) and - (MLP)");
  if (c.has("num_hidden_layers"))
    require(c.get_size("num_hidden_layers") == static_cast<int64_t>(n.pattern.size()), c,
            "num_hidden_layers disagrees with hybrid_override_pattern's length");
  n.inner = c.get_size("intermediate_size", 21504, io::Config::kMaxSize);
  n.eps = c.get_positive("layer_norm_epsilon", 1e-5);
  n.tied = c.get_bool("tie_word_embeddings", false);
  n.mlp_bias = c.get_bool("mlp_bias", false);
  n.max_positions = c.get_size("max_position_embeddings", 0, io::Config::kMaxSize);
  const std::string act = c.get_string("mlp_hidden_act", "relu2");
  require(act == "relu2", c, "mlp_hidden_act '" + act + "' is not supported (Nemotron-H's MLP is relu2)");
  n.attn = read_attention(c, n.hidden, c.has("head_dim") ? "head_dim" : "attention_head_dim", 8);
  const Mamba2Keys keys{"mamba_num_heads", "mamba_head_dim", c.has("n_groups") ? "n_groups" : "mamba_n_groups",
                        "ssm_state_size", c.has("conv_kernel") ? "conv_kernel" : "mamba_d_conv", "expand",
                        c.has("use_conv_bias") ? "use_conv_bias" : "mamba_conv_bias", "use_bias"};
  const int64_t heads = c.get_size("mamba_num_heads", 128, 1 << 20), head_dim = c.get_size("mamba_head_dim", 64, kSmall);
  n.mamba = read_mamba2_keys(c, keys, n.hidden, ssm::checked_size_product(c, heads, head_dim, "mamba_num_heads x mamba_head_dim"),
                             128, 128);
  n.mamba.gate_norm = ssm::SsmConfig::GateNorm::Grouped;
  n.mamba.eps = n.mamba.gate_eps = n.eps;
  return n;
}

Zamba2Config read_zamba2_config(const Config& c) {
  Zamba2Config z;
  z.hidden = c.get_size("hidden_size");
  z.vocab = c.get_size("vocab_size");
  z.eps = c.get_positive("rms_norm_eps", 1e-5);
  z.tied = c.get_bool("tie_word_embeddings", true);
  z.inner = c.get_size("intermediate_size", 4 * z.hidden, io::Config::kMaxSize);
  z.act = read_act(c, "hidden_act", "gelu");
  z.max_positions = c.get_size("max_position_embeddings", 0, io::Config::kMaxSize);
  const auto& types = c.json().contains("layers_block_type") ? c.json()["layers_block_type"] : nlohmann::json();
  require(types.is_array() && !types.empty(), c, "'layers_block_type' must list \"mamba\" or \"hybrid\" per layer");
  z.layers = static_cast<int64_t>(types.size());
  if (c.has("num_hidden_layers"))
    require(c.get_size("num_hidden_layers") == z.layers, c, "num_hidden_layers disagrees with layers_block_type");
  for (size_t i = 0; i < types.size(); ++i) {
    require(types[i] == "mamba" || types[i] == "hybrid", c,
            "'layers_block_type' entries must be \"mamba\" or \"hybrid\", not " + types[i].dump());
    if (types[i] == "hybrid") z.hybrid_layers.push_back(static_cast<int>(i));
  }
  if (c.has("hybrid_layer_ids")) {
    std::vector<int> ids;
    for (const auto& i : c.json()["hybrid_layer_ids"]) ids.push_back(i.is_number_integer() ? i.get<int>() : -1);
    require(ids == z.hybrid_layers, c, "'hybrid_layer_ids' disagrees with layers_block_type");
  }
  z.mem_blocks = c.get_size("num_mem_blocks", 1, kSmall);
  z.adapters = c.get_bool("use_shared_attention_adapter", false);
  z.adapter_rank = c.get_size("adapter_rank", 128, kSmall);
  // The shared block reads concat(hidden, embeddings): width 2 * hidden.
  z.attn = read_attention(c, 2 * z.hidden, "attention_head_dim");
  require(c.get_size("attention_hidden_size", 2 * z.hidden, io::Config::kMaxSize) == 2 * z.hidden, c,
          "attention_hidden_size must be twice hidden_size");
  z.attn.scale = 1.0 / std::sqrt(z.attn.head_dim / 2.0);
  z.attn.bias = false;
  if (c.get_bool("use_mem_rope", false)) with_rope(c, z.attn, z.attn.head_dim, 10000);
  const Mamba2Keys keys{"n_mamba_heads", "mamba_headdim", "mamba_ngroups", "mamba_d_state",
                        "mamba_d_conv",  "mamba_expand",  "use_conv_bias", "add_bias_linear"};
  z.mamba = read_mamba2_keys(c, keys, z.hidden, expanded(c, "mamba_expand", z.hidden), 8, 64);
  z.mamba.conv_bias = true;  // Zamba2MambaMixer's conv always has a bias
  z.mamba.gate_norm = ssm::SsmConfig::GateNorm::Grouped;
  z.mamba.eps = z.eps;
  z.mamba.gate_eps = 1e-5;  // fixed in Zamba2MambaMixer
  return z;
}

FalconH1Config read_falcon_h1_config(const Config& c) {
  FalconH1Config f;
  f.hidden = c.get_size("hidden_size");
  f.layers = c.get_size("num_hidden_layers");
  f.vocab = c.get_size("vocab_size");
  f.inner = c.get_size("intermediate_size");
  f.eps = c.get_positive("rms_norm_eps", 1e-5);
  f.act = read_act(c, "hidden_act", "silu");
  f.tied = c.get_bool("tie_word_embeddings", false);
  f.mlp_bias = c.get_bool("mlp_bias", false);
  f.max_positions = c.get_size("max_position_embeddings", 0, io::Config::kMaxSize);
  f.attn = read_attention(c, f.hidden, "head_dim", 8);
  with_rope(c, f.attn, f.attn.head_dim, 1e5);
  auto multiplier = [&](const char* key) { return c.get_double_in(key, 1.0, -1e6, 1e6); };
  f.embedding_multiplier = multiplier("embedding_multiplier");
  f.lm_head_multiplier = multiplier("lm_head_multiplier");
  f.key_multiplier = multiplier("key_multiplier");
  f.attention_in_multiplier = multiplier("attention_in_multiplier");
  f.attention_out_multiplier = multiplier("attention_out_multiplier");
  f.ssm_out_multiplier = multiplier("ssm_out_multiplier");
  auto vector_of = [&](const char* key, size_t n) {
    std::vector<double> v(n, 1.0);
    if (!c.has(key)) return v;
    const auto& j = c.json()[key];
    require(j.is_array() && j.size() == n, c, std::string("'") + key + "' must list " + std::to_string(n) + " numbers");
    for (size_t i = 0; i < n; ++i) {
      require(j[i].is_number() && std::isfinite(j[i].get<double>()), c, std::string("'") + key + "' must hold finite numbers");
      v[i] = j[i].get<double>();
    }
    return v;
  };
  const auto mlp = vector_of("mlp_multipliers", 2);
  f.mlp_gate_multiplier = mlp[0], f.mlp_out_multiplier = mlp[1];
  // d_ssm: the key's class default is 1024; null means expand x hidden.
  int64_t d_ssm = 1024;
  if (c.json().contains("mamba_d_ssm"))
    d_ssm = c.json()["mamba_d_ssm"].is_null() ? expanded(c, "mamba_expand", f.hidden) : c.get_size("mamba_d_ssm");
  const Mamba2Keys keys{"mamba_n_heads", "mamba_d_head", "mamba_n_groups", "mamba_d_state",
                        "mamba_d_conv",  "mamba_expand", "mamba_conv_bias", "mamba_proj_bias"};
  f.mamba = read_mamba2_keys(c, keys, f.hidden, d_ssm, 128, 256);
  f.mamba.gate_norm = c.get_bool("mamba_rms_norm", false) ? ssm::SsmConfig::GateNorm::Grouped : ssm::SsmConfig::GateNorm::None;
  f.mamba.norm_before_gate = c.get_bool("mamba_norm_before_gate", true);
  f.mamba.eps = f.mamba.gate_eps = f.eps;
  f.mamba.out_proj_bias = c.get_bool("projectors_bias", false);
  f.mamba.in_multiplier = multiplier("ssm_in_multiplier");
  f.mamba.mup = vector_of("ssm_multipliers", 5);
  return f;
}

ModelInfo describe_llamba(const Config& c) {
  const LlambaConfig l = read_llamba_config(c);
  return model_info("llamba", l.ssm.d_model, l.ssm.vocab, 0,
                    std::vector<LayerInfo>(l.ssm.layers, single_mixer_layer(discrete_mamba2_mixer_info(l.ssm.heads, l.ssm.d_state),
                                                                            "gated MLP")));
}

ModelInfo describe_jamba(const Config& c) {
  const JambaConfig j = read_jamba_config(c);
  std::vector<LayerInfo> layers;
  for (int64_t i = 0; i < j.layers; ++i) {
    const std::string ffn = j.moe[i] ? "MoE (" + std::to_string(j.experts) + " experts, top " + std::to_string(j.top_k) + ")"
                                     : "SwiGLU MLP";
    layers.push_back(single_mixer_layer(j.attention[i] ? attention_info(j.attn) : mamba1_mixer_info(j.mamba.d_inner, j.mamba.d_state), ffn));
  }
  return model_info("jamba", j.hidden, j.vocab, j.max_positions, layers);
}

ModelInfo describe_bamba(const Config& c) {
  const BambaConfig b = read_bamba_config(c);
  std::vector<LayerInfo> layers;
  for (int64_t i = 0; i < b.layers; ++i)
    layers.push_back(single_mixer_layer(b.attention[i] ? attention_info(b.attn) : mamba2_mixer_info(b.mamba.heads, b.mamba.d_state),
                                        "SwiGLU MLP"));
  return model_info("bamba", b.hidden, b.vocab, b.max_positions, layers);
}

ModelInfo describe_granite_hybrid(const Config& c) {
  const BambaConfig g = read_granite_hybrid_config(c);
  std::vector<LayerInfo> layers;
  const std::string ffn = g.experts ? "MoE (" + std::to_string(g.experts) + " experts, top " + std::to_string(g.top_k) + ") + shared MLP"
                                    : "gated MLP";
  for (int64_t i = 0; i < g.layers; ++i)
    layers.push_back(single_mixer_layer(g.attention[i] ? attention_info(g.attn) : mamba2_mixer_info(g.mamba.heads, g.mamba.d_state), ffn));
  return model_info("granitemoehybrid", g.hidden, g.vocab, g.max_positions, layers);
}

ModelInfo describe_nemotron_h(const Config& c) {
  const NemotronHConfig n = read_nemotron_h_config(c);
  std::vector<LayerInfo> layers;
  for (char kind : n.pattern) {
    if (kind == 'M') layers.push_back(single_mixer_layer(mamba2_mixer_info(n.mamba.heads, n.mamba.d_state)));
    else if (kind == '*') layers.push_back(single_mixer_layer(attention_info(n.attn)));
    else layers.push_back(LayerInfo{{}, "relu^2 MLP"});
  }
  return model_info("nemotron_h", n.hidden, n.vocab, n.max_positions, layers);
}

ModelInfo describe_zamba2(const Config& c) {
  const Zamba2Config z = read_zamba2_config(c);
  std::vector<LayerInfo> layers;
  for (int64_t i = 0; i < z.layers; ++i) {
    const MixerInfo ssm = mamba2_mixer_info(z.mamba.heads, z.mamba.d_state);
    if (std::find(z.hybrid_layers.begin(), z.hybrid_layers.end(), i) == z.hybrid_layers.end()) {
      layers.push_back(single_mixer_layer(ssm));
      continue;
    }
    MixerInfo attn = attention_info(z.attn);
    attn.description = "shared " + attn.description;
    layers.push_back(LayerInfo{{attn, ssm}, attn.description + " + gated MLP, then " + ssm.description});
  }
  return model_info("zamba2", z.hidden, z.vocab, z.max_positions, layers);
}

ModelInfo describe_falcon_h1(const Config& c) {
  const FalconH1Config f = read_falcon_h1_config(c);
  const MixerInfo ssm = mamba2_mixer_info(f.mamba.heads, f.mamba.d_state), attn = attention_info(f.attn);
  const LayerInfo layer{{ssm, attn}, ssm.description + " ∥ " + attn.description + " + SwiGLU MLP"};
  return model_info("falcon_h1", f.hidden, f.vocab, f.max_positions, std::vector<LayerInfo>(f.layers, layer));
}

}  // namespace attnscope
