// attnscope sweep <checkpoint> --prompt ... [--target TOKEN]: every head of
// every mixer ablated one at a time on this prompt (core/ablation/head_sweep.h),
// the heads that move the answer most as a table, all of them as a CSV.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/output_args.h"
#include "app/cli/prompt_args.h"
#include "app/cli/sweep_figure.h"
#include "core/ablation/head_sweep.h"
#include "core/runtime/device.h"
#include "core/runtime/loaded_model.h"
#include "core/util/atomic_output.h"
#include "core/util/error.h"

namespace attnscope::cli {

int cmd_sweep(const Argv& argv) {
  Args args(argv, {"prompt", "prompt-file", "input-ids", "target", "target-id", "mode", "csv", "figure", "top", "device", "dtype"},
            {"no-special-tokens", "quiet"});
  const std::string checkpoint = args.positional_at(0, "checkpoint folder");
  SweepOptions o;
  o.mode = parse_ablation_mode(args.value_or("mode", "zero"));
  const int top = args.int_or("top", 10);
  if (top < 0) throw Error("--top must be 0 or more");
  const auto csv = output_arg(args, "csv");
  const auto figure = svg_figure_arg(args, "sweep");
  const LoadOptions load = load_options_from_args(args);
  const auto loaded = load_for_running(checkpoint, load);
  const Prompt prompt = prompt_from_args(args, *loaded);
  const int64_t target = target_from_args(args, *loaded);
  const bool quiet = args.flag("quiet");
  std::fprintf(stderr, "sweep: device %s\n", compute_description(load.device).c_str());
  o.on_progress = [&](int done, int total) {
    if (!quiet && (done % 16 == 0 || done == total)) std::fprintf(stderr, "\rsweep: %d / %d heads", done, total);
    if (!quiet && done == total) std::fprintf(stderr, "\n");
  };
  const SweepResult result = run_head_sweep(*loaded->model, prompt.ids_tensor(), target, o);

  std::printf("target %s (id %lld): log p %.6f intact, p %.6f; %zu heads %s-ablated one at a time\n",
              token_label(*loaded, result.target).c_str(), static_cast<long long>(result.target), result.intact_logprob,
              std::exp(result.intact_logprob), result.rows.size(), ablation_mode_name(o.mode).c_str());
  std::vector<const SweepRow*> ranked;
  for (const auto& r : result.rows) ranked.push_back(&r);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const SweepRow* a, const SweepRow* b) { return a->delta_logprob < b->delta_logprob; });
  if (top > 0) {
    std::printf("%8s %5s %14s %10s\n", "layer", "head", "delta log p", "KL");
    for (int i = 0; i < top && i < static_cast<int>(ranked.size()); ++i)
      std::printf("%8s %5d %+14.6f %10.6f\n", ranked[i]->label.c_str(), ranked[i]->head, ranked[i]->delta_logprob,
                  ranked[i]->kl);
  }
  if (csv) {
    files::write_file_atomically(*csv, sweep_csv(result));
    std::printf("wrote %s\n", csv->c_str());
  }
  if (figure) {
    write_sweep_figure(result, "sweep of " + std::filesystem::path(checkpoint).filename().string() + ", target " +
                                   token_label(*loaded, result.target),
                       *figure);
    std::printf("wrote %s\n", figure->c_str());
  }
  return 0;
}

}  // namespace attnscope::cli
