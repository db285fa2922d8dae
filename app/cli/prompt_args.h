#pragma once
// The prompt and token options that run, sweep and patch share:
// --prompt TEXT | --prompt-file F | --input-ids 5,17,3 [--no-special-tokens]
// (patch names its two prompts --clean... and --corrupted...), and
// --target TOKEN | --target-id N (patch also --foil / --foil-id).
#include <cstdint>
#include <string>

#include "app/cli/args.h"
#include "core/runtime/loaded_model.h"

namespace attnscope::cli {

// From --NAME TEXT, --NAME-file F or --NAME-ids 5,17,3 (for "prompt" the ids
// option is --input-ids). Throws attnscope::Error unless exactly one is given.
Prompt prompt_from_args(const Args& args, const LoadedModel& loaded, const std::string& name = "prompt");
// The id of --NAME TOKEN or --NAME-id N; -1 when neither is given.
int64_t token_from_args(const Args& args, const LoadedModel& loaded, const std::string& name = "target");
inline int64_t target_from_args(const Args& args, const LoadedModel& loaded) { return token_from_args(args, loaded); }

}  // namespace attnscope::cli
