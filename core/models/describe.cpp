#include "core/models/describe.h"

#include "core/models/hybrid_config.h"
#include "core/models/registry.h"
#include "core/models/ssm/ssm_config.h"
#include "core/util/error.h"

namespace attnscope {
namespace {

LayerInfo attention_layer(const io::Config& c, const char* heads_key) {
  const int64_t heads = c.get_int(heads_key);
  return attention_layer_info(heads, c.get_int("num_key_value_heads", heads));
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
    info.layers = hybrid_layer_infos(read_hybrid_config(c));
    return info;
  }
  if (f == "mamba" || f == "mamba2") {
    // The models' own config readers: both dialects, mamba_ssm's defaults and vocabulary padding.
    const ssm::SsmConfig s = f == "mamba" ? ssm::read_mamba1_config(c) : ssm::read_mamba2_config(c);
    info.vocab_size = s.vocab;
    info.max_positions = 0;
    info.layers.assign(info.num_layers, f == "mamba" ? mamba1_layer_info(s.d_inner) : mamba2_layer_info(s.heads));
    return info;
  }
  info.layers.assign(info.num_layers, attention_layer(c, f == "gpt2" ? "n_head" : "num_attention_heads"));
  return info;
}

}  // namespace attnscope
