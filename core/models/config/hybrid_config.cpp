#include "core/models/config/hybrid_config.h"

#include <algorithm>

#include "core/util/error.h"

namespace attnscope {

const std::vector<std::string> kAttentionMixers = {"standard",       "mlp",        "approximate",  "non_approximate",
                                                   "rnd_emb_qk",     "fixed_seq_qk", "static_emb_qk"};

namespace {

// `key`: {"<layer>": [head, ...]}, each layer of `layer_type` (and for
// attention, the standard mixer), each head below `heads` and named once.
std::vector<std::vector<int>> read_head_lists(const io::Config& c, const HybridConfig& h, const std::string& config_key,
                                              const std::string& layer_type, int64_t head_count) {
  std::vector<std::vector<int>> lists(h.layer_types.size());
  if (!c.has(config_key)) return lists;
  const auto& all = c.json()[config_key];
  if (!all.is_object()) fail_file(c.origin(), config_key + " must map layer numbers to lists of heads, e.g. {\"1\": [4]}");
  for (const auto& [key, heads] : all.items()) {
    size_t used = 0;
    int layer = -1;
    try {
      layer = std::stoi(key, &used);
    } catch (const std::exception&) {
    }
    if (used != key.size() || key != std::to_string(layer) || layer < 0 || layer >= static_cast<int>(h.layer_types.size()))
      fail_file(c.origin(), config_key + ": '" + key + "' is not a layer of this model (0 to " +
                                std::to_string(h.layer_types.size() - 1) + ")");
    if (h.layer_types[layer] != layer_type)
      fail_file(c.origin(), config_key + ": layer " + key + " is not a" + (layer_type == "attention" ? "n " : " ") + layer_type + " layer");
    if (layer_type == "attention" && h.layer_mixers[layer] != "standard")
      fail_file(c.origin(), config_key + ": layer " + key + " uses the " + h.layer_mixers[layer] + " mixer; only standard attention takes recurrent heads");
    if (!heads.is_array() || heads.empty()) fail_file(c.origin(), config_key + ": layer " + key + " needs a list of heads");
    auto& list = lists[layer];
    for (const auto& head : heads) {
      if (!head.is_number_integer() || head.get<int64_t>() < 0 || head.get<int64_t>() >= head_count)
        fail_file(c.origin(), config_key + ": layer " + key + " has no head " + head.dump() + " (it has " +
                                  std::to_string(head_count) + ")");
      list.push_back(head.get<int>());
    }
    std::sort(list.begin(), list.end());
    if (std::adjacent_find(list.begin(), list.end()) != list.end())
      fail_file(c.origin(), config_key + ": layer " + key + " names a head twice");
  }
  return lists;
}

}  // namespace

HybridConfig read_hybrid_config(const io::Config& c) {
  HybridConfig h;
  const auto& j = c.json();
  if (!j.contains("layer_types") || !j["layer_types"].is_array())
    fail_file(c.origin(), "attnscope_hybrid needs layer_types, e.g. [\"mamba2\", \"attention\"]");
  for (const auto& t : j["layer_types"]) {
    if (!t.is_string() || (t != "mamba2" && t != "attention"))
      fail_file(c.origin(), "layer_types entries must be \"mamba2\" or \"attention\", not " + t.dump());
    h.layer_types.push_back(t.get<std::string>());
  }
  if (h.layer_types.empty()) fail_file(c.origin(), "layer_types is empty");
  const int64_t layers = c.get_size("num_hidden_layers", static_cast<int64_t>(h.layer_types.size()), io::Config::kMaxSize);
  if (layers != static_cast<int64_t>(h.layer_types.size()))
    fail_file(c.origin(), "num_hidden_layers (" + std::to_string(layers) + ") disagrees with layer_types (" +
                              std::to_string(h.layer_types.size()) + " entries)");
  const std::string mixer = c.get_string("attention_mixer", "standard");
  if (std::find(kAttentionMixers.begin(), kAttentionMixers.end(), mixer) == kAttentionMixers.end())
    fail_file(c.origin(), "unknown attention_mixer '" + mixer + "'");
  const std::string layout = c.get_string("mixer_layout", "uniform");
  if (layout != "uniform" && layout != "alternate")
    fail_file(c.origin(), "mixer_layout must be uniform or alternate, not '" + layout + "'");
  for (size_t l = 0; l < h.layer_types.size(); ++l) {
    const bool variant = layout == "uniform" || l % 2 == 1;
    h.layer_mixers.push_back(h.layer_types[l] == "mamba2" ? "" : variant ? mixer : "standard");
  }

  const bool any_attention = std::count(h.layer_types.begin(), h.layer_types.end(), "attention") > 0;
  // One epsilon for every norm of the model (attention layers, Mamba-2 layers, the final norm).
  const double eps = c.get_positive("rms_norm_eps", 1e-5);
  if (any_attention) {
    h.attention = read_llama_shape(c, "attnscope_hybrid");
    h.attention.eps = eps;
  }
  h.vocab = c.get_size("vocab_size");
  h.max_positions = c.get_size("max_position_embeddings", 0, io::Config::kMaxSize);
  h.rope_theta = read_rope_theta(c, "rope_theta", 10000);
  h.tied = c.get_bool("tie_word_embeddings", true);

  ssm::SsmConfig& s = h.ssm;
  s.d_model = c.get_size("hidden_size");
  s.layers = layers;
  s.vocab = h.vocab;
  s.eps = s.gate_eps = eps;
  s.d_state = c.get_size("ssm_state_size", 16, 1 << 16);
  s.head_dim = c.get_size("ssm_head_dim", 16, 1 << 16);
  s.heads = c.get_size("ssm_num_heads", std::max<int64_t>(1, 2 * s.d_model / s.head_dim), 1 << 20);
  s.d_inner = ssm::checked_size_product(c, s.heads, s.head_dim, "ssm_num_heads x ssm_head_dim");
  s.groups = c.get_size("ssm_n_groups", 1, 1 << 16);
  s.d_conv = c.get_size("ssm_conv_kernel", 4, 1024);
  if (s.heads % s.groups) fail_file(c.origin(), "ssm_num_heads is not a multiple of ssm_n_groups");
  s.conv_bias = c.get_bool("ssm_use_conv_bias", true);
  s.proj_bias = c.get_bool("ssm_use_bias", false);
  s.norm_before_gate = c.get_bool("ssm_norm_before_gate", false);
  s.gate_eps = c.get_positive("ssm_gate_eps", eps);
  ssm::read_time_step_limit(c, "ssm_time_step_limit", s);
  h.ssm_attention_heads = read_head_lists(c, h, "ssm_attention_heads", "mamba2", s.heads);
  h.ssm_attention_head_dim = c.get_size("ssm_attention_head_dim", s.d_state, 1 << 16);
  h.attention_ssm_heads = read_head_lists(c, h, "attention_ssm_heads", "attention", any_attention ? h.attention.heads : 0);
  return h;
}

ModelInfo describe_hybrid(const io::Config& c) {
  const HybridConfig h = read_hybrid_config(c);
  ModelInfo info;
  info.family = "attnscope_hybrid";
  info.num_layers = static_cast<int>(h.layer_types.size());
  info.hidden_size = static_cast<int>(h.ssm.d_model);
  info.vocab_size = h.vocab;
  info.max_positions = h.max_positions;
  info.layers = hybrid_layer_infos(h);
  return info;
}

std::vector<LayerInfo> hybrid_layer_infos(const HybridConfig& h) {
  std::vector<LayerInfo> out;
  for (size_t l = 0; l < h.layer_types.size(); ++l) {
    const std::string& m = h.layer_mixers[l];
    if (m.empty()) {
      MixerInfo mixer = mamba2_mixer_info(h.ssm.heads, h.ssm.d_state);
      if (!h.ssm_attention_heads[l].empty()) {
        mixer.description = mamba2_with_attention_heads_description(h.ssm_attention_heads[l]);
        for (int head : h.ssm_attention_heads[l]) mixer.head_kinds[head] = MixerKind::SoftmaxAttention;
      }
      out.push_back(single_mixer_layer(mixer));
      continue;
    }
    MixerInfo mixer = attention_mixer_info(h.attention.heads, h.attention.kv_heads);
    if (!h.attention_ssm_heads[l].empty()) {
      mixer.description = attention_with_recurrent_heads_description(h.attention.heads, h.attention.kv_heads, h.attention_ssm_heads[l]);
      for (int head : h.attention_ssm_heads[l]) mixer.head_kinds[head] = MixerKind::Mamba2SSD;
    }
    if (m == "mlp") mixer.kind = MixerKind::Identity;
    if (m == "approximate" || m == "non_approximate") mixer.kind = MixerKind::RelaxedAttention;
    if (m != "standard") mixer.description += " [" + m + "]";
    out.push_back(single_mixer_layer(mixer, "SwiGLU MLP"));
  }
  return out;
}

}  // namespace attnscope
