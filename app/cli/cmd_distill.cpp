// attnscope distill CKPT --keep K --task letters --out DIR: retrieval-aware
// placement (core/train/distill.h): the K heads the ablation scan ranks
// highest stay attention, the others become Mamba-2 heads, and the student
// is distilled from the Transformer; --select random|layers are the controls.
#include <cstdio>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/training_progress.h"
#include "core/train/accuracy_table.h"
#include "core/train/distill.h"
#include "core/train/distill_card.h"
#include "core/util/error.h"

namespace attnscope::cli {

int cmd_distill(const Argv& argv) {
  Args args(argv, {"keep", "select", "task", "steps", "batch", "lr", "seed", "out", "examples", "scan-examples"}, {"quiet"});
  train::DistillOptions o;
  o.source = args.positional_at(0, "checkpoint folder");
  const auto out = args.value("out");
  if (!out) throw Error("give --out <folder> for the distilled student");
  o.out_dir = *out;
  if (!args.has("keep")) throw Error("give --keep K: how many heads stay attention");
  o.keep = args.int_in("keep", 1, 0, 1 << 20);
  o.selection = train::parse_head_selection(args.value_or("select", "scan"));
  const auto task = args.value("task");
  if (!task) throw Error("give --task, e.g. --task letters (the task mixture the student is distilled on)");
  o.tasks = tasks::parse_task_specs(*task, "--task");
  o.steps = args.int_in("steps", o.steps, 0, 1000000);
  o.batch = args.int_in("batch", o.batch, 1, 4096);
  o.learning_rate = args.double_in("lr", o.learning_rate, 1e-8, 10);
  o.seed = static_cast<unsigned>(args.int_in("seed", static_cast<int>(o.seed), 0, 1 << 30));
  o.eval_examples = args.int_in("examples", o.eval_examples, 1, 100000);
  o.scan_examples = args.int_in("scan-examples", o.scan_examples, 1, 100000);
  o.command = "attnscope distill";
  for (const auto& a : argv) o.command += " " + a;
  const bool quiet = args.flag("quiet");
  o.on_stage = [&](const std::string& stage) {
    if (!quiet) std::printf("%s\n", stage.c_str()), std::fflush(stdout);
  };
  o.on_progress = training_progress(quiet);
  const auto report = train::distill_heads(o);
  std::printf("kept as attention (%s): %s of %d heads\n", train::head_selection_name(o.selection).c_str(),
              train::heads_list(report.kept).c_str(), report.total_heads);
  std::printf("distilled for %d steps in %.1f s, final KL %.4f\n", o.steps, report.seconds, report.final_loss);
  std::fputs(
      train::accuracy_table("teacher", "before", report.accuracy_teacher, report.accuracy_start, report.accuracy_after).c_str(),
      stdout);
  std::printf("wrote %s\n", o.out_dir.string().c_str());
  return 0;
}

}  // namespace attnscope::cli
