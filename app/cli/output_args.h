#pragma once
// Options several commands share beside the prompt: where results go
// (checked before any work, so a bad path fails in a second, not after a
// sweep) and which device and precision a model loads in.
#include <optional>
#include <string>

#include "app/cli/args.h"
#include "core/runtime/loaded_model.h"

namespace attnscope::cli {

// --NAME's path, refused now when it cannot be written.
std::optional<std::string> output_arg(const Args& args, const std::string& name);
// --figure's path, which must end in .svg; `what` names the figure in the message.
std::optional<std::string> svg_figure_arg(const Args& args, const std::string& what);
// --device auto|cpu|cuda and --dtype float32|float16|bfloat16.
LoadOptions load_options_from_args(const Args& args);

}  // namespace attnscope::cli
