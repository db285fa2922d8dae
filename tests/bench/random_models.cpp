#include "random_models.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/io/checkpoint.h"
#include "core/io/safetensors_writer.h"
#include "core/models/registry.h"

namespace attnscope::bench {

std::unique_ptr<Model> random_model(const nlohmann::json& config) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("attnscope-bench-model-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "config.json") << config.dump();
  io::SafetensorsWriter().write(dir / "model.safetensors");
  LoadOptions options;
  options.parameters = std::make_shared<ParameterSink>();
  options.parameters->initialise = true;
  options.parameters->vocab = config.value("vocab_size", 1000);
  auto model = load_model(io::Checkpoint::open(dir), options);
  for (auto& [name, t] : options.parameters->named) t.requires_grad_(false);
  fs::remove_all(dir);
  return model;
}

}  // namespace attnscope::bench
