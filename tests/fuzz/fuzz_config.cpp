// libFuzzer target for config.json validation: the bytes are a config's
// text; every family's reader (what inspect and run share) must either
// refuse it with attnscope::Error or describe a model whose every size is
// positive and bounded and whose heads fit their layers.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/io/config.h"
#include "core/io/json_file.h"
#include "core/models/config/hybrid_config.h"
#include "core/models/config/hybrid_families.h"
#include "core/models/config/ssm_config.h"
#include "core/models/config/transformer_configs.h"
#include "core/util/error.h"

namespace {
using namespace attnscope;

void check(const ModelInfo& info) {
  const int64_t max = io::Config::kMaxSize;
  if (info.num_layers < 1 || info.num_layers > max || info.hidden_size < 1 || info.vocab_size < 1 ||
      info.max_positions < 0 || static_cast<int>(info.layers.size()) != info.num_layers)
    __builtin_trap();
  for (const auto& layer : info.layers) {
    if (layer.mixers.size() > 2) __builtin_trap();
    for (const auto& m : layer.mixers)
      if (m.heads < 1 || m.heads > max || m.name.empty()) __builtin_trap();
  }
}

template <typename Describe>
void try_family(const io::Config& config, Describe describe) {
  try {
    check(describe(config));
  } catch (const Error&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  io::Config config;
  try {
    config = io::Config(io::parse_json_text(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz/config.json"),
                        "fuzz/config.json");
  } catch (const Error&) {
    return 0;
  }
  try_family(config, describe_gpt2);
  try_family(config, describe_neox);
  for (const char* type : {"llama", "mistral", "qwen2", "qwen3"})
    try_family(config, [type](const io::Config& c) { return describe_llama(c, type); });
  try_family(config, ssm::describe_mamba);
  try_family(config, ssm::describe_falcon_mamba);
  try_family(config, ssm::describe_mamba2);
  try_family(config, describe_hybrid);
  for (auto describe : {describe_llamba, describe_jamba, describe_bamba, describe_granite_hybrid, describe_nemotron_h,
                        describe_zamba2, describe_falcon_h1})
    try_family(config, describe);
  return 0;
}
