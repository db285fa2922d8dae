#pragma once
// Randomly initialised models of real shapes for benchmarks, born from a
// config.json alone through the trainer's initialiser (no weights on disk).
#include <memory>
#include <nlohmann/json.hpp>

#include "core/models/model.h"

namespace attnscope::bench {

std::unique_ptr<Model> random_model(const nlohmann::json& config);

}  // namespace attnscope::bench
