#pragma once
// The progress line `train`, `graft` and `distill` print while training:
// "step   50 / 300  loss 2.0750", every 50 steps and at the last.
#include <functional>

namespace attnscope::cli {

std::function<void(int step, int steps, double loss)> training_progress(bool quiet);

}  // namespace attnscope::cli
