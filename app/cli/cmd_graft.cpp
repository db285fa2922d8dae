// attnscope graft CKPT --head L.H --with attention --task mqar:16 --steps N --out DIR:
// one head of a Mamba-2 layer replaced by softmax attention and trained alone
// (core/train/graft.h); --with ssm fine-tunes the SSM head instead (the
// control); --head random draws a Mamba-2 head (seeded) for the other control.
#include <cstdio>
#include <random>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/training_progress.h"
#include "core/io/checkpoint.h"
#include "core/models/describe.h"
#include "core/train/accuracy_table.h"
#include "core/train/graft.h"
#include "core/util/error.h"
#include "core/util/numbers.h"

namespace attnscope::cli {
namespace {

// Every (layer, head) of a Mamba-2 mixer that is still a Mamba-2 head, in layer order.
std::vector<std::pair<int, int>> mamba2_heads(const ModelInfo& info) {
  std::vector<std::pair<int, int>> out;
  for (size_t l = 0; l < info.layers.size(); ++l)
    for (const auto& m : info.layers[l].mixers)
      if (m.kind == MixerKind::Mamba2SSD)
        for (int h = 0; h < m.heads; ++h)
          if (!m.head_kinds.count(h)) out.emplace_back(static_cast<int>(l), h);  // not replaced already
  return out;
}

// "3.5" -> layer 3, head 5; "random" -> a Mamba-2 head drawn with `seed`.
std::pair<int, int> head_from_arg(const std::string& text, const io::Checkpoint& ck, unsigned seed) {
  if (text == "random") {
    const auto heads = mamba2_heads(describe_from_config(ck));
    if (heads.empty()) throw Error("--head random: " + ck.dir().string() + " has no Mamba-2 heads");
    std::mt19937 rng(seed);
    return heads[std::uniform_int_distribution<size_t>(0, heads.size() - 1)(rng)];
  }
  const auto dot = text.find('.');
  const auto layer = dot == std::string::npos ? std::nullopt : parse_int(text.substr(0, dot));
  const auto head = dot == std::string::npos ? std::nullopt : parse_int(text.substr(dot + 1));
  if (!layer || !head || *layer < 0 || *head < 0) throw Error("--head takes LAYER.HEAD (as 1.4) or random; got '" + text + "'");
  return {*layer, *head};
}


}  // namespace

int cmd_graft(const Argv& argv) {
  Args args(argv, {"head", "with", "task", "steps", "batch", "lr", "seed", "out", "qk-init", "examples"}, {"quiet"});
  train::GraftOptions o;
  o.source = args.positional_at(0, "checkpoint folder");
  const auto out = args.value("out");
  if (!out) throw Error("give --out <folder> for the grafted checkpoint");
  o.out_dir = *out;
  const auto head = args.value("head");
  if (!head) throw Error("give --head LAYER.HEAD (the Mamba-2 head to replace) or --head random");
  const auto task = args.value("task");
  if (!task) throw Error("give --task, e.g. --task mqar:16 (the task the new head is trained on)");
  o.tasks = tasks::parse_task_specs(*task, "--task");
  const std::string with = args.value_or("with", "attention");
  if (with != "attention" && with != "ssm") throw Error("--with takes attention (replace the head) or ssm (fine-tune it, the control)");
  o.head.attention = with == "attention";
  const std::string qk = args.value_or("qk-init", "ssm");
  if (qk != "ssm" && qk != "random") throw Error("--qk-init takes ssm (the head's C and B projections) or random");
  if (!o.head.attention && args.has("qk-init")) throw Error("--qk-init applies to --with attention");
  o.head.qk_init = qk == "ssm" ? train::HeadToGraft::QkInit::SsmProjections : train::HeadToGraft::QkInit::Random;
  o.steps = args.int_in("steps", o.steps, 0, 1000000);
  o.batch = args.int_in("batch", o.batch, 1, 4096);
  o.learning_rate = args.double_in("lr", o.learning_rate, 1e-8, 10);
  o.seed = static_cast<unsigned>(args.int_in("seed", static_cast<int>(o.seed), 0, 1 << 30));
  o.head.seed = o.seed;
  o.eval_examples = args.int_in("examples", o.eval_examples, 1, 100000);
  const auto source = io::Checkpoint::open(o.source);
  std::tie(o.head.layer, o.head.head) = head_from_arg(*head, source, o.seed);
  o.command = "attnscope graft";
  for (const auto& a : argv) o.command += " " + a;
  const bool quiet = args.flag("quiet");
  std::printf("%s head %d.%d of %s%s\n", o.head.attention ? "replacing" : "fine-tuning", o.head.layer, o.head.head,
              o.source.string().c_str(), *head == "random" ? " (drawn at random)" : "");
  o.on_progress = training_progress(quiet);
  const auto report = train::graft_head(o);
  std::printf("trained %lld parameters for %d steps in %.1f s, final loss %.4f\n",
              static_cast<long long>(report.trained_parameters), o.steps, report.seconds, report.final_loss);
  std::fputs(train::accuracy_table("source", o.head.attention ? "grafted" : "before", report.accuracy_source,
                                   report.accuracy_start, report.accuracy_after)
                 .c_str(),
             stdout);
  std::printf("wrote %s\n", o.out_dir.string().c_str());
  return 0;
}

}  // namespace attnscope::cli
