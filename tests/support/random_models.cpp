#include "support/random_models.h"

#include <unistd.h>

#include <fstream>

#include "core/io/checkpoint.h"
#include "core/io/safetensors_writer.h"
#include "core/models/registry.h"

namespace attnscope::test_support {
namespace fs = std::filesystem;

namespace {
// Initialises a model from `config` in `dir` (config.json plus an empty
// safetensors file) and returns it with the sink holding its tensors.
std::unique_ptr<Model> initialise(const nlohmann::json& config, const fs::path& dir, LoadOptions& options) {
  fs::create_directories(dir);
  std::ofstream(dir / "config.json") << config.dump();
  io::SafetensorsWriter().write(dir / "model.safetensors");
  options.parameters = std::make_shared<ParameterSink>();
  options.parameters->initialise = true;
  options.parameters->vocab = config.value("vocab_size", 1000);
  return load_model(io::Checkpoint::open(dir), options);
}

void freeze(const LoadOptions& options) {
  for (auto& [name, t] : options.parameters->named) t.requires_grad_(false);
}
}  // namespace

std::unique_ptr<Model> initialised_model(const nlohmann::json& config, LoadOptions& options) {
  const fs::path dir = fs::temp_directory_path() / ("attnscope-random-model-" + std::to_string(::getpid()));
  auto model = initialise(config, dir, options);
  fs::remove_all(dir);
  return model;
}

std::unique_ptr<Model> random_model(const nlohmann::json& config) {
  LoadOptions options;
  auto model = initialised_model(config, options);
  freeze(options);
  return model;
}

void write_random_checkpoint(const nlohmann::json& config, const fs::path& dir) {
  LoadOptions options;
  auto model = initialise(config, dir, options);
  model.reset();
  options.parameters->write(dir / "model.safetensors");
}

}  // namespace attnscope::test_support
