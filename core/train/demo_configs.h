#pragma once
// The configs of the bundled demo models: small enough to train in minutes
// on two CPU cores, large enough to solve the demo tasks.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace attnscope::train {

// "transformer" (llama), "mamba2", "hybrid" (attnscope_hybrid: mamba2 then attention).
const std::vector<std::string>& demo_architectures();
nlohmann::ordered_json demo_config(const std::string& architecture, int64_t vocab_size);

}  // namespace attnscope::train
