#pragma once
// Randomly initialised models of real shapes for benchmarks and tests, born
// from a config.json alone through the trainer's initialiser.
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/models/registry.h"

namespace attnscope::test_support {

// In memory only (no weights on disk), frozen.
std::unique_ptr<Model> random_model(const nlohmann::json& config);

// In memory, trainable: `options.parameters` holds every tensor (for
// gradients, or to rescale weights). Seed with at::manual_seed first.
std::unique_ptr<Model> initialised_model(const nlohmann::json& config, LoadOptions& options);

// A loadable checkpoint folder: config.json and model.safetensors with random
// weights (a tokenizer is the caller's to add).
void write_random_checkpoint(const nlohmann::json& config, const std::filesystem::path& dir);

}  // namespace attnscope::test_support
