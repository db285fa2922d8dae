#include "core/train/graft.h"

#include <torch/optim/adamw.h>

#include <chrono>
#include <cmath>

#include "core/io/checkpoint.h"
#include "core/io/tokenizer.h"
#include "core/models/config/hybrid_config.h"
#include "core/models/forward.h"
#include "core/models/registry.h"
#include "core/tasks/scoring.h"
#include "core/train/graft_card.h"
#include "core/train/output_folder.h"
#include "core/train/training_steps.h"
#include "core/util/atomic_output.h"
#include "core/util/error.h"

namespace attnscope::train {
namespace fs = std::filesystem;
namespace {

std::map<std::string, double> accuracies(const fs::path& dir, const io::Tokenizer& tokenizer, const GraftOptions& o) {
  const auto ck = io::Checkpoint::open(dir);
  return task_accuracies(*load_model(ck, LoadOptions{}), tokenizer, o.tasks, o.eval_examples, o.seed);
}

std::vector<int64_t> range(int64_t start, int64_t count) {
  std::vector<int64_t> r(count);
  for (int64_t i = 0; i < count; ++i) r[i] = start + i;
  return r;
}

// A parameter being trained, whole or in some rows; the frozen rows keep their values.
struct Trainable {
  at::Tensor parameter, row_mask, original;  // row_mask undefined: whole
};

}  // namespace

std::vector<TrainedSlice> graft_trained_slices(const fs::path& grafted_dir, const HeadToGraft& g) {
  const auto ck = io::Checkpoint::open(grafted_dir);
  const HybridConfig h = read_hybrid_config(ck.config());
  const std::string m = "model.layers." + std::to_string(g.layer) + ".mixer.";
  if (g.attention) {
    const std::string a = m + "attention_heads." + std::to_string(g.head) + ".";
    return {{a + "q_proj.weight", {}}, {a + "k_proj.weight", {}}, {a + "log_gain", {}}};
  }
  // The SSM head's own: its z, x and dt rows of in_proj, its x channels of the
  // convolution and the gate norm, its A, D and dt bias. B and C are shared by
  // the head's group, out_proj by the layer (the grafted head keeps it too).
  const ssm::SsmConfig& s = h.ssm;
  const int64_t P = s.head_dim, GN = s.groups * s.d_state;
  std::vector<int64_t> in_rows = range(g.head * P, P), x_rows = range(s.d_inner + g.head * P, P);
  in_rows.insert(in_rows.end(), x_rows.begin(), x_rows.end());
  in_rows.push_back(2 * s.d_inner + 2 * GN + g.head);
  std::vector<TrainedSlice> out = {{m + "in_proj.weight", in_rows},
                                   {m + "conv1d.weight", range(g.head * P, P)},
                                   {m + "A_log", {g.head}},
                                   {m + "D", {g.head}},
                                   {m + "dt_bias", {g.head}},
                                   {m + "norm.weight", range(g.head * P, P)}};
  if (s.proj_bias) out.push_back({m + "in_proj.bias", in_rows});
  if (s.conv_bias) out.push_back({m + "conv1d.bias", range(g.head * P, P)});
  return out;
}

GraftReport graft_head(const GraftOptions& o) {
  if (o.tasks.empty()) throw Error("graft: give a task (--task mqar:16)");
  if (o.steps < 0 || o.batch < 1) throw Error("graft: --steps must be 0 or more and --batch at least 1");
  const auto start = std::chrono::steady_clock::now();
  const auto source = io::Checkpoint::open(o.source);
  check_graft_source(source, o.head);
  const auto tokenizer = task_tokenizer(source, o.tasks, o.seed, "graft");

  OutputFolder output(o.out_dir, grafted_checkpoint_files(), "graft", kGraftCardMarker, source.dir());
  const fs::path& work = output.work();
  write_grafted_checkpoint(source, o.head, work);

  GraftReport report;
  report.accuracy_source = accuracies(o.source, *tokenizer, o);
  report.accuracy_start = o.head.attention ? accuracies(work, *tokenizer, o) : report.accuracy_source;
  const auto check_cancel = [&] {
    if (o.cancelled && o.cancelled()) throw Cancelled();  // the output folder is removed, nothing written
  };
  check_cancel();

  // The converted model with every weight recorded; only the chosen ones train.
  LoadOptions load;
  load.parameters = std::make_shared<ParameterSink>();
  std::unique_ptr<Model> model;
  {
    const auto ck = io::Checkpoint::open(work);
    model = load_model(ck, load);
  }
  for (auto& [name, t] : load.parameters->named)
    if (t.requires_grad()) t.requires_grad_(false);
  std::vector<Trainable> trained;
  std::vector<at::Tensor> params, gains;
  for (const auto& slice : graft_trained_slices(work, o.head)) {
    const at::Tensor* p = load.parameters->find(slice.name);
    if (!p) throw Error("internal: graft found no parameter " + slice.name);
    Trainable t{*p, {}, {}};
    t.parameter.requires_grad_(true);
    if (!slice.rows.empty()) {
      t.row_mask = at::zeros({p->size(0)}, p->options().requires_grad(false));
      t.row_mask.index_fill_(0, at::tensor(slice.rows, at::kLong), 1);
      std::vector<int64_t> shape(p->dim(), 1);
      shape[0] = p->size(0);
      t.row_mask = t.row_mask.view(shape);
      t.original = p->detach().clone();
      report.trained_parameters += static_cast<int64_t>(slice.rows.size()) * (p->numel() / p->size(0));
    } else {
      report.trained_parameters += p->numel();
    }
    (slice.name.size() > 8 && slice.name.compare(slice.name.size() - 8, 8, "log_gain") == 0 ? gains : params).push_back(t.parameter);
    trained.push_back(t);
  }

  // No weight decay: it would move the frozen entries of a partly trained parameter.
  // The gain learns faster: it must cover a ratio of scales (its log) within a short budget.
  const double gain_rate = 10 * o.learning_rate;
  std::vector<torch::optim::OptimizerParamGroup> groups = {torch::optim::OptimizerParamGroup(params)};
  if (!gains.empty())
    groups.emplace_back(gains, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(gain_rate).betas({0.9, 0.98}).weight_decay(0)));
  torch::optim::AdamW optimiser(groups, torch::optim::AdamWOptions(o.learning_rate).betas({0.9, 0.98}).weight_decay(0));
  std::vector<at::Tensor> all_trained = params;
  all_trained.insert(all_trained.end(), gains.begin(), gains.end());
  const int64_t pad = 0;  // padded positions are never scored and come after every scored one (causal)
  for (int step = 0; step < o.steps; ++step) {
    check_cancel();
    for (size_t g = 0; g < optimiser.param_groups().size(); ++g)
      static_cast<torch::optim::AdamWOptions&>(optimiser.param_groups()[g].options())
          .lr(scheduled_learning_rate(g == 0 ? o.learning_rate : gain_rate, step, o.steps));
    const Batch b = make_batch(*tokenizer, mixed_examples(o.tasks, o.batch, o.seed * 1000003u + static_cast<unsigned>(step)), pad);
    const at::Tensor loss = task_loss(training_logits(*model, b.ids), b);
    optimiser.zero_grad();
    loss.backward();
    for (auto& t : trained)
      if (t.row_mask.defined() && t.parameter.grad().defined()) t.parameter.grad().mul_(t.row_mask);
    clip_gradients(all_trained, 1.0);
    optimiser.step();
    report.final_loss = loss.item<double>();
    if (!std::isfinite(report.final_loss)) throw Error("graft: the loss became " + std::to_string(report.final_loss));
    if (o.on_progress) o.on_progress(step + 1, o.steps, report.final_loss);
  }
  {
    // Frozen rows exactly as they were (Adam leaves them be; this makes it a guarantee).
    at::NoGradGuard no_grad;
    for (auto& t : trained)
      if (t.row_mask.defined()) t.parameter.copy_(at::where(t.row_mask.to(at::kBool), t.parameter, t.original));
  }
  load.parameters->write(work / "model.safetensors");
  model.reset();

  report.accuracy_after = accuracies(work, *tokenizer, o);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  files::write_file_atomically(work / "README.md", graft_card(o, report));
  check_cancel();
  output.publish();
  return report;
}

}  // namespace attnscope::train
