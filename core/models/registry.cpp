#include "core/models/registry.h"

#include "core/models/config/hybrid_config.h"
#include "core/models/config/hybrid_families.h"
#include "core/models/config/ssm_config.h"
#include "core/models/config/transformer_configs.h"
#include "core/models/describe.h"
#include "core/models/families.h"
#include "core/util/error.h"

namespace attnscope {

const std::vector<FamilyEntry>& model_families() {
  // One row per family: config model_type -> factory, and what inspect
  // reads from config.json alone (the same validated config reader).
  static const std::vector<FamilyEntry> families = {
      {"gpt2", make_gpt2, describe_gpt2},
      {"gpt_neox", make_gpt_neox, describe_neox},
      {"llama", make_llama, [](const io::Config& c) { return describe_llama(c, "llama"); }},
      {"mistral", make_llama, [](const io::Config& c) { return describe_llama(c, "mistral"); }},
      {"qwen2", make_llama, [](const io::Config& c) { return describe_llama(c, "qwen2"); }},
      {"qwen3", make_llama, [](const io::Config& c) { return describe_llama(c, "qwen3"); }},
      {"mamba", make_mamba, ssm::describe_mamba},
      {"falcon_mamba", make_falcon_mamba, ssm::describe_falcon_mamba},
      {"mamba2", make_mamba2, ssm::describe_mamba2},
      {"llamba", make_llamba, describe_llamba},
      {"attnscope_hybrid", make_hybrid, describe_hybrid},
      {"jamba", make_jamba, describe_jamba},
      {"bamba", make_bamba, describe_bamba},
      {"granitemoehybrid", make_granite_hybrid, describe_granite_hybrid},
      {"nemotron_h", make_nemotron_h, describe_nemotron_h},
      {"zamba2", make_zamba2, describe_zamba2},
      {"falcon_h1", make_falcon_h1, describe_falcon_h1},
  };
  return families;
}

std::vector<std::string> known_model_types() {
  std::vector<std::string> names;
  for (const auto& f : model_families()) names.emplace_back(f.model_type);
  return names;
}

bool is_known_model_type(const std::string& model_type) {
  for (const auto& f : model_families())
    if (model_type == f.model_type) return true;
  return false;
}

namespace {
const FamilyEntry& family_of(const io::Checkpoint& checkpoint) {
  const std::string type = checkpoint.model_type();
  for (const auto& f : model_families())
    if (type == f.model_type) return f;
  std::string known;
  for (const auto& n : known_model_types()) known += (known.empty() ? "" : ", ") + n;
  fail_file(checkpoint.config().origin(), "unknown model_type '" + type + "' (AttnScope knows: " + known + ")");
}
}  // namespace

std::unique_ptr<Model> load_model(const io::Checkpoint& checkpoint, const LoadOptions& options) {
  return family_of(checkpoint).make(checkpoint, options);
}

ModelInfo describe_from_config(const io::Checkpoint& checkpoint) {
  ModelInfo info = family_of(checkpoint).describe(checkpoint.config());
  info.family = checkpoint.model_type();
  info.parameter_count = checkpoint.parameter_count();
  return info;
}

}  // namespace attnscope
