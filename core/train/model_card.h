#pragma once
// The README.md model card of a trained demo checkpoint: how it was made
// (the exact command, seed, steps, time) and how well it does.
#include <nlohmann/json.hpp>
#include <string>

#include "core/train/trainer.h"

namespace attnscope::train {

std::string model_card(const TrainOptions& options, const TrainReport& report, const nlohmann::ordered_json& config);

}  // namespace attnscope::train
