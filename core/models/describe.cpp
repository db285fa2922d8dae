#include "core/models/describe.h"

#include "core/models/hybrid_config.h"
#include "core/models/registry.h"
#include "core/util/error.h"

namespace attnscope {
namespace {

LayerInfo attention_layer(const io::Config& c, const char* heads_key) {
  const int64_t heads = c.get_int(heads_key);
  return attention_layer_info(heads, c.get_int("num_key_value_heads", heads));
}

int64_t mamba_inner(const io::Config& c, int64_t hidden) {
  if (c.has("intermediate_size")) return c.get_int("intermediate_size");
  const auto& ssm = c.json().contains("ssm_cfg") ? c.json()["ssm_cfg"] : nlohmann::json::object();
  const int64_t expand = ssm.value("expand", c.get_int("expand", 2));
  return expand * hidden;
}

}  // namespace

ModelInfo describe_from_config(const io::Checkpoint& checkpoint) {
  const io::Config& c = checkpoint.config();
  ModelInfo info;
  info.family = checkpoint.model_type();
  if (!is_known_model_type(info.family))
    fail_file(c.origin(), "unknown model_type '" + info.family + "'");
  info.parameter_count = checkpoint.parameter_count();
  info.num_layers = static_cast<int>(c.get_int_any({"num_hidden_layers", "n_layer"}));
  info.hidden_size = static_cast<int>(c.get_int_any({"hidden_size", "n_embd", "d_model"}));
  info.vocab_size = c.get_int("vocab_size", 0);
  info.max_positions = c.get_int(c.has("n_positions") ? "n_positions" : "max_position_embeddings", 0);
  const std::string& f = info.family;
  if (f == "attnscope_hybrid") {
    const HybridConfig hybrid = read_hybrid_config(c);
    info.layers = hybrid_layer_infos(hybrid);
    return info;
  }
  for (int l = 0; l < info.num_layers; ++l) {
    LayerInfo layer;
    if (f == "gpt2") {
      layer = attention_layer(c, "n_head");
    } else if (f == "mamba") {
      layer.mixer = MixerKind::Mamba1Channel;
      layer.heads = static_cast<int>(mamba_inner(c, info.hidden_size));
      layer.description = "mamba (per-channel kernels)";
      info.max_positions = 0;
    } else if (f == "mamba2") {
      layer.mixer = MixerKind::Mamba2SSD;
      const int64_t head_dim = c.get_int("head_dim", 64);
      layer.heads = static_cast<int>(c.get_int("num_heads", mamba_inner(c, info.hidden_size) / head_dim));
      layer.description = "mamba2 (SSD)";
      info.max_positions = 0;
    } else {
      layer = attention_layer(c, "num_attention_heads");
    }
    info.layers.push_back(layer);
  }
  return info;
}

}  // namespace attnscope
