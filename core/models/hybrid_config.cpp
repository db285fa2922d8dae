#include "core/models/hybrid_config.h"

#include <algorithm>

#include "core/util/error.h"

namespace attnscope {

const std::vector<std::string> kAttentionMixers = {"standard",       "mlp",        "approximate",  "non_approximate",
                                                   "rnd_emb_qk",     "fixed_seq_qk", "static_emb_qk"};

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
  const int64_t layers = c.get_int("num_hidden_layers", static_cast<int64_t>(h.layer_types.size()));
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
  if (any_attention) h.attention = blocks::read_llama_shape(c, "attnscope_hybrid");
  h.vocab = c.get_int("vocab_size");
  h.max_positions = c.get_int("max_position_embeddings", 0);
  h.rope_theta = c.get_double("rope_theta", 10000);
  h.tied = c.get_bool("tie_word_embeddings", true);

  ssm::SsmConfig& s = h.ssm;
  s.d_model = c.get_int("hidden_size");
  s.layers = layers;
  s.vocab = h.vocab;
  s.eps = c.get_double("rms_norm_eps", 1e-5);
  s.d_state = c.get_int("ssm_state_size", 16);
  s.head_dim = c.get_int("ssm_head_dim", 16);
  s.heads = c.get_int("ssm_num_heads", 2 * s.d_model / s.head_dim);
  s.d_inner = s.heads * s.head_dim;
  s.groups = c.get_int("ssm_n_groups", 1);
  s.d_conv = c.get_int("ssm_conv_kernel", 4);
  if (s.groups <= 0 || s.heads % s.groups) fail_file(c.origin(), "ssm_num_heads is not a multiple of ssm_n_groups");
  return h;
}

std::vector<LayerInfo> hybrid_layer_infos(const HybridConfig& h) {
  std::vector<LayerInfo> out;
  for (size_t l = 0; l < h.layer_types.size(); ++l) {
    const std::string& m = h.layer_mixers[l];
    if (m.empty()) {
      out.push_back(mamba2_layer_info(h.ssm.heads));
      continue;
    }
    LayerInfo info = attention_layer_info(h.attention.heads, h.attention.kv_heads);
    if (m == "mlp") info.mixer = MixerKind::Identity;
    if (m == "approximate" || m == "non_approximate") info.mixer = MixerKind::RelaxedAttention;
    if (m != "standard") info.description += " [" + m + "]";
    out.push_back(info);
  }
  return out;
}

}  // namespace attnscope
