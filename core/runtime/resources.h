#pragma once
// Where the bundled demo models and prompts are: $ATTNSCOPE_RESOURCES, the
// installed share/attnscope beside the binary, or the source tree's resources/.
#include <filesystem>
#include <string>
#include <vector>

namespace attnscope {

std::filesystem::path resource_dir();
// Bundled demo checkpoints (folders with config.json under resources/models):
// `transformer` first (the default demo), then by name.
std::vector<std::filesystem::path> demo_models();
// Task files (datasets/ in the source tree, share/attnscope/datasets installed).
std::filesystem::path datasets_dir();
// The demo prompt (resources/prompts/demo.txt), or a fallback sentence.
std::string demo_prompt();

}  // namespace attnscope
