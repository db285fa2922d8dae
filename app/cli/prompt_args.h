#pragma once
// The prompt and target options that run and sweep share:
// --prompt TEXT | --prompt-file F | --input-ids 5,17,3 [--no-special-tokens],
// and --target TOKEN | --target-id N.
#include <cstdint>

#include "app/cli/args.h"
#include "core/runtime/loaded_model.h"

namespace attnscope::cli {

// Throws attnscope::Error unless exactly one prompt option is given.
Prompt prompt_from_args(const Args& args, const LoadedModel& loaded);
// The target token's id; -1 when none is given (the intact run's top-1).
int64_t target_from_args(const Args& args, const LoadedModel& loaded);

}  // namespace attnscope::cli
