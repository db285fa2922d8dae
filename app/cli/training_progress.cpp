#include "app/cli/training_progress.h"

#include <cstdio>

namespace attnscope::cli {

std::function<void(int step, int steps, double loss)> training_progress(bool quiet) {
  return [quiet](int step, int steps, double loss) {
    if (!quiet && (step % 50 == 0 || step == steps)) std::printf("step %5d / %d  loss %.4f\n", step, steps, loss), std::fflush(stdout);
  };
}

}  // namespace attnscope::cli
