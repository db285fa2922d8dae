#include "core/train/demo_configs.h"

#include "core/util/error.h"

namespace attnscope::train {

const std::vector<std::string>& demo_architectures() {
  static const std::vector<std::string> names = {"transformer", "mamba2", "hybrid"};
  return names;
}

nlohmann::ordered_json demo_config(const std::string& arch, int64_t vocab) {
  const int64_t hidden = 128;
  nlohmann::ordered_json c;
  if (arch == "transformer") {
    c = {{"model_type", "llama"}, {"architectures", {"LlamaForCausalLM"}}, {"vocab_size", vocab},
         {"hidden_size", hidden}, {"intermediate_size", 256}, {"num_hidden_layers", 2},
         {"num_attention_heads", 4}, {"num_key_value_heads", 4}, {"head_dim", 32}, {"hidden_act", "silu"},
         {"max_position_embeddings", 512}, {"rms_norm_eps", 1e-5}, {"rope_theta", 10000.0},
         {"tie_word_embeddings", true}, {"attention_bias", false}, {"mlp_bias", false}};
  } else if (arch == "mamba2") {
    c = {{"model_type", "mamba2"}, {"architectures", {"Mamba2ForCausalLM"}}, {"vocab_size", vocab},
         {"hidden_size", hidden}, {"num_hidden_layers", 4}, {"num_heads", 8}, {"head_dim", 32},
         {"state_size", 32}, {"n_groups", 1}, {"expand", 2}, {"conv_kernel", 4}, {"chunk_size", 128},
         {"layer_norm_epsilon", 1e-5}, {"rms_norm", true}, {"use_bias", false}, {"use_conv_bias", true},
         {"hidden_act", "silu"}, {"residual_in_fp32", true}, {"tie_word_embeddings", true},
         {"norm_before_gate", false}};
  } else if (arch == "hybrid") {
    c = {{"model_type", "attnscope_hybrid"}, {"vocab_size", vocab}, {"hidden_size", hidden},
         {"num_hidden_layers", 3}, {"layer_types", {"mamba2", "mamba2", "attention"}},
         {"attention_mixer", "standard"}, {"mixer_layout", "uniform"},
         {"num_attention_heads", 4}, {"num_key_value_heads", 4}, {"head_dim", 32}, {"intermediate_size", 256},
         {"hidden_act", "silu"}, {"max_position_embeddings", 512}, {"rms_norm_eps", 1e-5},
         {"rope_theta", 10000.0}, {"ssm_state_size", 32}, {"ssm_num_heads", 8}, {"ssm_head_dim", 32},
         {"ssm_n_groups", 1}, {"ssm_conv_kernel", 4}, {"tie_word_embeddings", true}};
  } else {
    throw Error("unknown demo architecture '" + arch + "' (expected transformer, mamba2 or hybrid)");
  }
  return c;
}

}  // namespace attnscope::train
