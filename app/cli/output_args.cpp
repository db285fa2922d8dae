#include "app/cli/output_args.h"

#include <filesystem>

#include "core/runtime/device.h"
#include "core/util/atomic_output.h"
#include "core/util/error.h"

namespace attnscope::cli {

std::optional<std::string> output_arg(const Args& args, const std::string& name) {
  auto path = args.value(name);
  if (path) files::check_output_target(*path);
  return path;
}

std::optional<std::string> svg_figure_arg(const Args& args, const std::string& what) {
  auto figure = args.value("figure");
  if (figure && std::filesystem::path(*figure).extension() != ".svg")
    throw Error("--figure " + *figure + ": the " + what + " figure is an SVG (name it .svg)");
  return output_arg(args, "figure");
}

LoadOptions load_options_from_args(const Args& args) {
  LoadOptions load;
  load.device = choose_device(args.value_or("device", "auto"));
  load.dtype = parse_run_dtype(args.value_or("dtype", "float32"));
  return load;
}

}  // namespace attnscope::cli
