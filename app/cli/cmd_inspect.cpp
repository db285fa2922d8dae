// attnscope inspect <checkpoint> [--json]: family, layers, heads, parameters,
// dtype, tokenizer — from config.json and the safetensors headers only.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "core/io/checkpoint.h"
#include "core/io/tokenizer.h"
#include "core/models/describe.h"

namespace attnscope::cli {

int cmd_inspect(const Argv& argv) {
  Args args(argv, {}, {"json"});
  const auto checkpoint = io::Checkpoint::open(args.positional_at(0, "checkpoint folder"));
  const ModelInfo info = describe_from_config(checkpoint);
  const auto tokenizer_file = checkpoint.tokenizer_path();
  std::string tokenizer = "none";
  if (tokenizer_file) tokenizer = io::Tokenizer::from_file(*tokenizer_file)->description();

  nlohmann::ordered_json layers = nlohmann::json::array();
  int total_heads = 0;
  for (const auto& l : info.layers) {
    nlohmann::ordered_json mixers = nlohmann::json::array();
    int heads = 0;
    for (const auto& m : l.mixers) {
      mixers.push_back({{"name", m.name}, {"kind", mixer_kind_name(m.kind)}, {"heads", m.heads}, {"description", m.description}});
      heads += m.heads;
    }
    layers.push_back({{"heads", heads}, {"description", l.description}, {"mixers", mixers}});
    total_heads += heads;
  }
  if (args.flag("json")) {
    nlohmann::ordered_json j = {
        {"path", checkpoint.dir().string()},
        {"family", info.family},
        {"layers", info.num_layers},
        {"hidden_size", info.hidden_size},
        {"vocab_size", info.vocab_size},
        {"max_positions", info.max_positions},
        {"heads_total", total_heads},
        {"parameters", info.parameter_count},
        {"dtype", checkpoint.storage_dtype()},
        {"files", checkpoint.files().size()},
        {"bytes", checkpoint.total_bytes()},
        {"tokenizer", tokenizer_file ? nlohmann::json(tokenizer_file->string()) : nlohmann::json(nullptr)},
        {"tokenizer_description", tokenizer},
        {"per_layer", layers}};
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("checkpoint   %s\n", checkpoint.dir().c_str());
  std::printf("family       %s\n", info.family.c_str());
  std::printf("layers       %d\n", info.num_layers);
  std::printf("hidden size  %d\n", info.hidden_size);
  std::printf("vocabulary   %lld\n", static_cast<long long>(info.vocab_size));
  std::printf("positions    %s\n", info.max_positions ? std::to_string(info.max_positions).c_str() : "unlimited");
  std::printf("heads        %d in all\n", total_heads);
  for (size_t l = 0; l < info.layers.size(); ++l) {
    const auto& layer = info.layers[l];
    if (layer.mixers.size() == 1) {
      std::printf("  layer %-3zu  %5d  %s\n", l, layer.mixers[0].heads, layer.description.c_str());
      continue;
    }
    std::printf("  layer %-3zu         %s\n", l, layer.description.c_str());
    for (const auto& m : layer.mixers) std::printf("    %-6s    %5d  %s\n", m.name.c_str(), m.heads, m.description.c_str());
  }
  std::printf("parameters   %lld\n", static_cast<long long>(info.parameter_count));
  std::printf("dtype        %s (%zu file%s, %.1f MB)\n", checkpoint.storage_dtype().c_str(),
              checkpoint.files().size(), checkpoint.files().size() == 1 ? "" : "s",
              checkpoint.total_bytes() / 1e6);
  std::printf("tokenizer    %s\n", tokenizer_file ? (tokenizer_file->string() + " (" + tokenizer + ")").c_str() : "none");
  return 0;
}

}  // namespace attnscope::cli
