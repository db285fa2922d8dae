#include "core/models/registry.h"

#include "core/models/families.h"
#include "core/util/error.h"

namespace attnscope {

const std::vector<FamilyEntry>& model_families() {
  // One row per family: config model_type -> factory.
  static const std::vector<FamilyEntry> families = {
      {"gpt2", make_gpt2},
      {"gpt_neox", make_gpt_neox},
      {"llama", make_llama},
      {"mistral", make_llama},
      {"qwen2", make_llama},
      {"mamba", make_mamba},
      {"mamba2", make_mamba2},
      {"attnscope_hybrid", make_hybrid},
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

std::unique_ptr<Model> load_model(const io::Checkpoint& checkpoint, const LoadOptions& options) {
  const std::string type = checkpoint.model_type();
  for (const auto& f : model_families())
    if (type == f.model_type) return f.make(checkpoint, options);
  std::string known;
  for (const auto& n : known_model_types()) known += (known.empty() ? "" : ", ") + n;
  fail_file(checkpoint.config().origin(),
            "unknown model_type '" + type + "' (AttnScope knows: " + known + ")");
}

}  // namespace attnscope
