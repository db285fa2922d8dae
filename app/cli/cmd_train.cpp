// attnscope train --arch transformer|mamba2|hybrid --out DIR: trains a demo
// model on the CPU (core/train) and prints its held-out accuracy.
#include <cstdio>
#include <fstream>
#include <sstream>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/training_progress.h"
#include "core/train/trainer.h"
#include "core/util/error.h"
#include "core/util/numbers.h"

namespace attnscope::cli {
namespace {


// "0,2" -> {0, 2}.
std::vector<int> parse_layers(const std::string& option, const std::string& list) {
  std::vector<int> out;
  std::stringstream s(list);
  std::string item;
  while (std::getline(s, item, ',')) {
    const auto layer = parse_int(item);
    if (!layer || *layer < 0) throw Error(option + " takes layer numbers separated by commas (\"0,1\"); got '" + list + "'");
    out.push_back(*layer);
  }
  if (out.empty()) throw Error(option + " is empty");
  return out;
}

// The commands in an earlier stage's model card (its "How it was made" block).
std::string earlier_commands(const std::filesystem::path& card) {
  std::ifstream in(card);
  std::string line, out;
  bool in_block = false, after_heading = false;
  while (std::getline(in, line)) {
    if (line.rfind("## How it was made", 0) == 0) after_heading = true;
    else if (after_heading && line.rfind("```", 0) == 0) {
      if (in_block) break;
      in_block = true;
    } else if (in_block && !line.empty()) {
      out += line + "\n";
    }
  }
  return out;
}

}  // namespace

int cmd_train(const Argv& argv) {
  Args args(argv, {"arch", "out", "layers", "heads", "head-dim", "steps", "batch", "lr", "seed", "tasks", "init-from", "head-sparsity", "head-sparsity-layers", "head-dropout", "head-dropout-layers", "head-dropout-spare", "keep-heads"}, {"quiet", "tokenizer-from-trained-tasks"});
  train::TrainOptions o;
  o.architecture = args.value_or("arch", "transformer");
  const auto out = args.value("out");
  if (!out) throw Error("give --out <folder> for the trained checkpoint");
  o.out_dir = *out;
  o.layers = args.int_or("layers", 0);
  o.heads = args.int_or("heads", 0);
  o.head_dim = args.int_or("head-dim", 0);
  o.tokenizer_from_trained_tasks = args.flag("tokenizer-from-trained-tasks");
  if (o.layers < 0 || o.heads < 0 || o.head_dim < 0) throw Error("--layers, --heads and --head-dim must be positive");
  o.steps = args.int_or("steps", o.steps);
  o.batch = args.int_or("batch", o.batch);
  o.learning_rate = args.double_or("lr", o.learning_rate);
  o.head_sparsity = args.double_or("head-sparsity", 0);
  if (!(o.head_sparsity >= 0)) throw Error("--head-sparsity must be zero or more");
  o.head_dropout = args.double_or("head-dropout", 0);
  if (!(o.head_dropout >= 0 && o.head_dropout < 1)) throw Error("--head-dropout must be at least 0 and below 1");
  if (auto l = args.value("head-sparsity-layers")) o.head_sparsity_layers = parse_layers("--head-sparsity-layers", *l);
  if (auto l = args.value("head-dropout-layers")) o.head_dropout_layers = parse_layers("--head-dropout-layers", *l);
  if (auto spare = args.value("head-dropout-spare")) o.head_dropout_spared = parse_keep_sets("--head-dropout-spare", *spare);
  if (auto keep = args.value("keep-heads")) o.keep_heads = parse_keep_sets("--keep-heads", *keep);
  o.seed = static_cast<unsigned>(args.int_or("seed", static_cast<int>(o.seed)));
  if (auto t = args.value("tasks")) o.tasks = tasks::parse_task_specs(*t, "--tasks");
  if (o.steps < 1 || o.batch < 1) throw Error("--steps and --batch must be at least 1");
  if (auto init = args.value("init-from")) {
    o.init_from = *init;
    o.earlier_stages = earlier_commands(o.init_from / "README.md");
  }
  o.command = "attnscope train";
  for (const auto& a : argv) o.command += " " + a;
  const bool quiet = args.flag("quiet");
  o.on_progress = training_progress(quiet);
  const auto report = train::train_demo_model(o);
  std::printf("trained %s (%lld parameters) in %.1f s, final loss %.4f\n", o.architecture.c_str(),
              static_cast<long long>(report.parameters), report.seconds, report.final_loss);
  for (const auto& [task, acc] : report.accuracy) std::printf("  %-12s accuracy %.1f%%\n", task.c_str(), 100 * acc);
  std::printf("wrote %s\n", o.out_dir.string().c_str());
  return 0;
}

}  // namespace attnscope::cli
