#include "core/train/distill.h"

#include <torch/optim/adamw.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "core/ablation/head_scan.h"
#include "core/io/checkpoint.h"
#include "core/io/tokenizer.h"
#include "core/models/blocks/attention_block_buffers.h"
#include "core/models/forward.h"
#include "core/models/registry.h"
#include "core/tasks/scoring.h"
#include "core/train/distill_card.h"
#include "core/train/distill_checkpoint.h"
#include "core/train/graft_checkpoint.h"
#include "core/train/output_folder.h"
#include "core/train/training_steps.h"
#include "core/util/atomic_output.h"
#include "core/util/error.h"

namespace attnscope::train {
namespace fs = std::filesystem;
namespace {

std::map<std::string, double> accuracies(const Model& model, const io::Tokenizer& tokenizer, const DistillOptions& o) {
  return task_accuracies(model, tokenizer, o.tasks, o.eval_examples, o.seed);
}

// Every head ranked by the accuracy lost when it alone is zeroed (mean over
// the tasks), then by the answer's log-probability lost; most needed first.
void rank_heads(const Model& model, const io::Tokenizer& tokenizer, const DistillOptions& o, DistillReport& report) {
  const int layers = model.info().num_layers;
  std::map<std::pair<int, int>, std::pair<double, double>> loss;  // (accuracy, log p) lost, summed over tasks
  for (const auto& spec : o.tasks) {
    ScanOptions scan;
    scan.modes = {AblationMode::Zero};
    scan.seed = o.seed;
    const auto result = run_head_scan(model, tokenizer, tasks::generate(spec, o.scan_examples, o.seed + 7u), scan);
    const ScanRow& intact = result.rows.front();
    for (const auto& row : result.rows)
      if (row.condition.head >= 0 && row.condition.mode == "zero") {
        auto& l = loss[{row.condition.row, row.condition.head}];
        l.first += intact.accuracy - row.accuracy;
        l.second += intact.mean_answer_logprob - row.mean_answer_logprob;
      }
  }
  for (int l = 0; l < layers; ++l)
    for (int h = 0; h < model.info().layers[l].mixers.at(0).heads; ++h) report.ranking.emplace_back(l, h);
  std::stable_sort(report.ranking.begin(), report.ranking.end(), [&](const auto& a, const auto& b) {
    const auto &la = loss[a], &lb = loss[b];
    return la.first != lb.first ? la.first > lb.first : la.second > lb.second;
  });
  for (const auto& head : report.ranking) report.ranking_drop.push_back(loss[head].first / static_cast<double>(o.tasks.size()));
}

std::vector<int> heads_per_layer(const Model& model) {
  std::vector<int> out;
  for (const auto& layer : model.info().layers) {
    if (layer.mixers.size() != 1 || layer.mixers[0].kind != MixerKind::SoftmaxAttention)
      throw Error("distill: every layer must be one softmax attention mixer");
    out.push_back(layer.mixers[0].heads);
  }
  return out;
}

}  // namespace

HeadSelection parse_head_selection(const std::string& text) {
  if (text == "scan") return HeadSelection::Scan;
  if (text == "random") return HeadSelection::Random;
  if (text == "layers") return HeadSelection::Layers;
  throw Error("--select takes scan (the heads the ablation scan ranks highest), random or layers; got '" + text + "'");
}

std::string head_selection_name(HeadSelection s) {
  return s == HeadSelection::Scan ? "scan" : s == HeadSelection::Random ? "random" : "layers";
}

std::vector<std::pair<int, int>> choose_kept_heads(HeadSelection selection, int keep, const std::vector<std::pair<int, int>>& ranking,
                                                   const std::vector<double>& drop, const std::vector<int>& heads_per_layer,
                                                   unsigned seed) {
  std::vector<std::pair<int, int>> kept;
  if (selection == HeadSelection::Scan) {
    kept.assign(ranking.begin(), ranking.begin() + keep);
  } else if (selection == HeadSelection::Random) {
    std::vector<std::pair<int, int>> all = ranking;
    std::sort(all.begin(), all.end());  // the draw does not depend on the ranking
    std::shuffle(all.begin(), all.end(), std::mt19937(seed));
    kept.assign(all.begin(), all.begin() + keep);
  } else {
    // Whole layers, the one whose heads lose most accuracy together first; its heads in order.
    std::vector<double> layer_drop(heads_per_layer.size(), 0);
    for (size_t i = 0; i < ranking.size(); ++i) layer_drop[ranking[i].first] += drop[i];
    std::vector<int> layers(heads_per_layer.size());
    std::iota(layers.begin(), layers.end(), 0);
    std::stable_sort(layers.begin(), layers.end(), [&](int a, int b) { return layer_drop[a] > layer_drop[b]; });
    for (int l : layers)
      for (int h = 0; h < heads_per_layer[l] && static_cast<int>(kept.size()) < keep; ++h) kept.emplace_back(l, h);
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

DistillReport distill_heads(const DistillOptions& o) {
  if (o.tasks.empty()) throw Error("distill: give a task (--task letters)");
  if (o.steps < 0 || o.batch < 1 || o.scan_examples < 1) throw Error("distill: --steps must be 0 or more, --batch and --scan-examples at least 1");
  const auto start = std::chrono::steady_clock::now();
  const auto stage = [&](const std::string& what) {
    if (o.on_stage) o.on_stage(what);
  };
  const auto source = io::Checkpoint::open(o.source);
  check_distill_source(source);
  const auto tokenizer = task_tokenizer(source, o.tasks, o.seed, "distill");
  const auto teacher = load_model(source, LoadOptions{});
  const std::vector<int> per_layer = heads_per_layer(*teacher);
  DistillReport report;
  report.total_heads = std::accumulate(per_layer.begin(), per_layer.end(), 0);
  if (o.keep < 0 || o.keep > report.total_heads)
    throw Error("distill: --keep must be 0 to " + std::to_string(report.total_heads) + " (the model's attention heads)");

  OutputFolder output(o.out_dir, grafted_checkpoint_files(), "distill", kDistillCardMarker, source.dir());
  const fs::path& work = output.work();
  stage("ranking heads by the ablation scan");
  rank_heads(*teacher, *tokenizer, o, report);
  report.kept = choose_kept_heads(o.selection, o.keep, report.ranking, report.ranking_drop, per_layer, o.seed);
  std::vector<std::pair<int, int>> recurrent;
  for (const auto& head : report.ranking)
    if (std::find(report.kept.begin(), report.kept.end(), head) == report.kept.end()) recurrent.push_back(head);
  std::sort(recurrent.begin(), recurrent.end());
  write_student_checkpoint(source, recurrent, work);

  stage("measuring the teacher and the student before distillation");
  report.accuracy_teacher = accuracies(*teacher, *tokenizer, o);
  LoadOptions load;
  load.parameters = std::make_shared<ParameterSink>();
  std::unique_ptr<Model> student;
  {
    const auto ck = io::Checkpoint::open(work);
    student = load_model(ck, load);
  }
  {
    at::NoGradGuard no_grad;
    report.accuracy_start = accuracies(*student, *tokenizer, o);
  }
  std::vector<at::Tensor> params;
  for (const auto& [name, t] : load.parameters->named)
    if (t.requires_grad()) params.push_back(t);

  const auto check_cancel = [&] {
    if (o.cancelled && o.cancelled()) throw Cancelled();  // the output folder is removed, nothing written
  };
  check_cancel();
  stage("distilling");
  torch::optim::AdamW optimiser(params, torch::optim::AdamWOptions(o.learning_rate).betas({0.9, 0.98}).weight_decay(0));
  for (int step = 0; step < o.steps; ++step) {
    check_cancel();
    static_cast<torch::optim::AdamWOptions&>(optimiser.param_groups()[0].options())
        .lr(scheduled_learning_rate(o.learning_rate, step, o.steps));
    const Batch b = make_batch(*tokenizer, mixed_examples(o.tasks, o.batch, o.seed * 1000003u + static_cast<unsigned>(step)), 0);
    at::Tensor target;
    {
      at::NoGradGuard no_grad;
      const blocks::ReleasedAfterForward attention_buffers_released;  // not kept through the student's step
      target = training_logits(*teacher, b.ids);
    }
    const at::Tensor loss = distillation_loss(training_logits(*student, b.ids), target, b);
    optimiser.zero_grad();
    loss.backward();
    clip_gradients(params, 1.0);
    optimiser.step();
    report.final_loss = loss.item<double>();
    if (!std::isfinite(report.final_loss)) throw Error("distill: the loss became " + std::to_string(report.final_loss));
    if (o.on_progress) o.on_progress(step + 1, o.steps, report.final_loss);
  }
  load.parameters->write(work / "model.safetensors");
  student.reset();

  stage("measuring the distilled student");
  {
    const auto ck = io::Checkpoint::open(work);
    report.accuracy_after = accuracies(*load_model(ck, LoadOptions{}), *tokenizer, o);
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  files::write_file_atomically(work / "README.md", distill_card(o, report));
  check_cancel();
  output.publish();
  return report;
}

}  // namespace attnscope::train
