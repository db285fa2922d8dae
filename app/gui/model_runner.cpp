// LibTorch headers come before Qt's: Qt's `slots` macro breaks them otherwise.
#include "core/ablation/ablation_spec.h"
#include "core/ablation/activation_patching.h"
#include "core/ablation/head_sweep.h"
#include "core/models/forward.h"
#include "core/runtime/device.h"
#include "core/runtime/loaded_model.h"
#include "core/runtime/session_run.h"
#include "core/session/session_writer.h"
#include "core/tasks/task.h"
#include "core/train/graft.h"
// Qt after torch.
#include "app/gui/model_runner.h"

#include <QElapsedTimer>

namespace attnscope::gui {

ModelRunner::ModelRunner(QObject* parent) : QObject(parent) {}
ModelRunner::~ModelRunner() = default;

namespace {
at::Tensor ids_tensor(const std::vector<int64_t>& ids) {
  return at::tensor(at::ArrayRef<int64_t>(ids), at::TensorOptions().dtype(at::kLong));
}
}  // namespace

void ModelRunner::guarded(const std::function<void()>& job) {
  cancel_.store(false);
  try {
    job();
  } catch (const Cancelled&) {
    emit cancelled();
  } catch (const std::exception& e) {
    emit failed(QString::fromStdString(e.what()));
  }
}

void ModelRunner::run(const RunRequest& request) {
  guarded([&] {
    QElapsedTimer timer;
    timer.start();
    const bool reload = !loaded_ || loaded_path_ != request.checkpoint || loaded_device_ != request.device ||
                        loaded_dtype_ != request.dtype;
    if (reload) {
      emit progress(0, 1, tr("Loading %1").arg(request.checkpoint));
      LoadOptions options;
      options.device = choose_device(request.device.toStdString());
      options.dtype = parse_run_dtype(request.dtype.toStdString());
      loaded_.reset();
      prompt_ids_.clear();  // the shown session is not this model's until the run succeeds
      loaded_ = load_for_running(request.checkpoint.toStdString(), options);
      loaded_path_ = request.checkpoint, loaded_device_ = request.device, loaded_dtype_ = request.dtype;
    }
    const Prompt prompt = prompt_from_text(*loaded_, request.prompt.toStdString());
    auto writer = session::SessionWriter::create(request.session_path.toStdString());
    RecordOptions record;
    record.top_k = request.top_k;
    record.cancel = &cancel_;
    // Thousands of Mamba-1 channels per layer: the grid shows group means (stated in the session).
    channel_group_ = overview_channel_group(loaded_->model->info());
    record.channel_group = channel_group_;
    record.on_progress = [this](int done, int total) { emit progress(done, total, tr("Layer %1 of %2").arg(done).arg(total)); };
    const ForwardResult result = record_run(*loaded_, prompt, request.checkpoint.toStdString(), writer, record);
    writer.commit();
    prompt_ids_ = prompt.ids;
    const auto outputs = output_record(*loaded_, result.logits[-1], request.top_k, -1);
    intact_target_ = outputs.target;
    intact_target_logprob_ = outputs.target_logprob;
    RunResult done;
    done.session_path = request.session_path;
    done.description = tr("%1 on %2, %3 tokens, %4 s")
                           .arg(QString::fromStdString(loaded_->model->info().family))
                           .arg(QString::fromStdString(device_description(loaded_->options.device)))
                           .arg(prompt.ids.size())
                           .arg(timer.elapsed() / 1000.0, 0, 'f', 2);
    emit run_finished(done);
  });
}

void ModelRunner::ablate(const AblationRequest& request) {
  guarded([&] {
    if (!loaded_ || prompt_ids_.empty()) throw Error("run a model first: a saved session alone cannot be re-run");
    std::vector<HeadAblation> ablations;
    const AblationMode mode = parse_ablation_mode(request.mode.toStdString());
    for (const auto& h : request.heads) ablations.push_back({h.layer, h.head, mode, h.mixer.toStdString()});
    ForwardOptions forward;
    forward.ablations = ablations;
    forward.channel_group = channel_group_;
    forward.cancel = &cancel_;
    session::AblatedRun out;
    if (request.capture_layer >= 0) {
      const auto& mixers = loaded_->model->info().layers.at(request.capture_layer).mixers;
      forward.capture_layer = [&](int l) { return l == request.capture_layer; };
      forward.on_mixing = [&](int, int m, const at::Tensor& maps) {
        if (!request.capture_mixer.isEmpty() && mixers.at(m).name != request.capture_mixer.toStdString()) return;
        out.map_row = request.capture_row;
        out.heads = static_cast<int>(maps.size(0));
        const float* p = maps.data_ptr<float>();
        out.maps.assign(p, p + maps.numel());
      };
    }
    forward.on_progress = [this](int done, int total) { emit progress(done, total, tr("Ablated run: layer %1 of %2").arg(done).arg(total)); };
    const at::Tensor ids = ids_tensor(prompt_ids_);
    const ForwardResult result = run_forward(*loaded_->model, ids, forward);
    out.record.outputs = output_record(*loaded_, result.logits[-1], request.top_k, intact_target_);
    out.record.spec = format_ablation_list(ablations);
    out.measured_target = intact_target_;
    out.logprob_before = intact_target_logprob_;
    out.logprob_after = out.record.outputs.target_logprob;
    out.record.target_logprob_delta = out.logprob_after - out.logprob_before;
    emit ablation_finished(out);
  });
}

qint64 ModelRunner::token_id_of(const QString& text, QString* error) const {
  if (!loaded_ || !loaded_->tokenizer) {
    *error = tr("no tokenizer is loaded: give the target as #id");
    return -1;
  }
  const auto ids = loaded_->tokenizer->encode_ids(text.toStdString());
  if (ids.size() != 1) {
    *error = tr("'%1' is %2 tokens for this tokenizer; give a single token (or #id)").arg(text).arg(ids.size());
    return -1;
  }
  return ids.front();
}

namespace {
// values[row][head], NaN past a row's heads.
void put(QVector<QVector<double>>& values, int row, int head, double value) {
  while (values.size() <= row) values.append(QVector<double>());
  while (values[row].size() <= head) values[row].append(qQNaN());
  values[row][head] = value;
}
}  // namespace

void ModelRunner::patch(const PatchRequest& request) {
  guarded([&] {
    if (!loaded_ || prompt_ids_.empty()) throw Error("run a model first: patching re-runs the model on both prompts");
    const Prompt corrupted = prompt_from_text(*loaded_, request.corrupted_prompt.toStdString());
    emit progress(0, 1, tr("Patching: running both prompts"));
    const ActivationPatcher patcher(*loaded_->model, ids_tensor(prompt_ids_), corrupted.ids_tensor(),
                                    request.target >= 0 ? request.target : intact_target_, -1,
                                    PatchDirection::CleanIntoCorrupted, &cancel_, channel_group_);
    const PatchBaseline& b = patcher.baseline();
    patcher.recovered(b.source_logit_diff);  // refuses prompts with nothing to recover, before the sweep
    PatchRunOptions run;
    run.cancel = &cancel_;
    run.on_progress = [this](int done, int total) {
      emit progress(done, total, tr("Patching: head %1 of %2").arg(done).arg(total));
    };
    PatchOutcome out;
    out.corrupted_prompt = request.corrupted_prompt;
    out.target_token = QString::fromStdString(token_label(*loaded_, b.target));
    out.foil_token = QString::fromStdString(token_label(*loaded_, b.foil));
    out.clean_logit_diff = b.clean_logit_diff;
    out.corrupted_logit_diff = b.corrupted_logit_diff;
    if (request.layer >= 0) {
      const ModelInfo& info = loaded_->model->info();
      const int mixer =
          ablated_mixer(info, {request.layer, request.head, AblationMode::Zero, request.mixer.toStdString()}, channel_group_);
      out.head_name = QString::fromStdString(head_name(info, request.layer, mixer, request.head));
      for (const auto& p : patcher.sweep_positions(request.layer, mixer, request.head, run)) out.recovered_at.append(p.recovered);
      emit patch_finished(out);
      return;
    }
    for (const auto& row : patcher.sweep_heads(run)) put(out.recovered, row.row, row.head, row.recovered);
    emit patch_finished(out);
  });
}

void ModelRunner::sweep(const SweepRequest& request) {
  guarded([&] {
    if (!loaded_ || prompt_ids_.empty()) throw Error("run a model first: a saved session alone cannot be swept");
    SweepOptions options;
    options.mode = parse_ablation_mode(request.mode.toStdString());
    options.cancel = &cancel_;
    options.channel_group = channel_group_;  // a grid cell is a group of Mamba-1 channels, as the session's maps
    options.on_progress = [this](int done, int total) {
      emit progress(done, total, tr("Sweep: head %1 of %2 ablated").arg(done).arg(total));
    };
    const at::Tensor ids = ids_tensor(prompt_ids_);
    const SweepResult result = run_head_sweep(*loaded_->model, ids, request.target >= 0 ? request.target : intact_target_, options);
    SweepOutcome out;
    out.mode = request.mode;
    out.target = result.target;
    out.target_token = QString::fromStdString(token_label(*loaded_, result.target));
    out.intact_logprob = result.intact_logprob;
    for (const auto& row : result.rows) {
      put(out.delta_logprob, row.row, row.head, row.delta_logprob);
      put(out.kl, row.row, row.head, row.kl);
    }
    emit sweep_finished(out);
  });
}

void ModelRunner::graft(const GraftRequest& request) {
  guarded([&] {
    if (!loaded_) throw Error("run a model first: head replacement starts from the loaded checkpoint");
    train::GraftOptions o;
    o.source = loaded_path_.toStdString();
    o.out_dir = request.out_dir.toStdString();
    o.head.layer = request.layer, o.head.head = request.head, o.head.attention = request.attention;
    o.tasks = {tasks::parse_task_spec(request.task.toStdString())};
    o.steps = request.steps;
    const QString head_name = QString("%1.%2").arg(request.layer).arg(request.head);
    o.command = QString("attnscope graft %1 --head %2 --with %3 --task %4 --steps %5 --out %6   (from the window)")
                    .arg(loaded_path_, head_name, request.attention ? "attention" : "ssm", request.task)
                    .arg(request.steps)
                    .arg(request.out_dir)
                    .toStdString();
    o.cancelled = [this] { return cancel_.load(); };
    o.on_progress = [this, head_name](int step, int steps, double loss) {
      emit progress(step, steps, tr("Training head %1: step %2 of %3, loss %4").arg(head_name).arg(step).arg(steps).arg(loss, 0, 'f', 3));
    };
    emit progress(0, std::max(1, o.steps), tr("Head %1: measuring the source model's accuracy").arg(head_name));
    const train::GraftReport report = train::graft_head(o);
    GraftOutcome out;
    out.out_dir = request.out_dir;
    out.head_name = head_name;
    out.attention = request.attention;
    for (const auto& [task, after] : report.accuracy_after)
      out.summary += tr("%1: %2% source, %3% %4, %5% after %6 steps\n")
                         .arg(QString::fromStdString(task))
                         .arg(100 * report.accuracy_source.at(task), 0, 'f', 1)
                         .arg(100 * report.accuracy_start.at(task), 0, 'f', 1)
                         .arg(request.attention ? tr("grafted") : tr("before"))
                         .arg(100 * after, 0, 'f', 1)
                         .arg(request.steps);
    emit graft_finished(out);
  });
}

}  // namespace attnscope::gui
