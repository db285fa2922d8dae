#pragma once
// Runs models off the GUI thread. Lives on a worker QThread; every public
// slot is invoked through queued connections and reports back by signal.
// Runs are recorded into a working session file (temporary), which the
// window then reads lazily, exactly as it reads a saved session.
#include <QObject>
#include <QString>
#include <QVector>
#include <atomic>
#include <functional>
#include <memory>

#include "app/gui/run_types.h"

namespace attnscope {
struct LoadedModel;
}

namespace attnscope::gui {

class ModelRunner : public QObject {
  Q_OBJECT
 public:
  explicit ModelRunner(QObject* parent = nullptr);
  ~ModelRunner() override;
  // Thread-safe: asks the running job to stop at the next layer.
  void cancel() { cancel_.store(true); }
  bool has_model() const { return loaded_ != nullptr; }
  // The id of a single-token text in the loaded tokenizer, or -1 with `error`
  // set. Call on the runner's thread (a blocking queued call when it is idle).
  qint64 token_id_of(const QString& text, QString* error) const;

 public slots:
  void run(const attnscope::gui::RunRequest& request);
  void ablate(const attnscope::gui::AblationRequest& request);
  void sweep(const attnscope::gui::SweepRequest& request);
  void patch(const attnscope::gui::PatchRequest& request);
  void graft(const attnscope::gui::GraftRequest& request);

 signals:
  void progress(int done, int total, const QString& stage);
  void run_finished(const attnscope::gui::RunResult& result);
  void ablation_finished(const attnscope::session::AblatedRun& result);
  void sweep_finished(const attnscope::gui::SweepOutcome& outcome);
  void patch_finished(const attnscope::gui::PatchOutcome& outcome);
  void graft_finished(const attnscope::gui::GraftOutcome& outcome);
  void failed(const QString& message);
  void cancelled();

 private:
  // Runs a job with the cancel flag cleared, reporting Cancelled and errors by signal.
  void guarded(const std::function<void()>& job);
  std::unique_ptr<LoadedModel> loaded_;
  QString loaded_path_, loaded_device_, loaded_dtype_;
  std::vector<int64_t> prompt_ids_;
  std::vector<std::string> prompt_labels_;
  double intact_target_logprob_ = 0;
  int64_t intact_target_ = -1;
  int channel_group_ = 1;  // Mamba-1 channels averaged per map in the current run
  std::atomic<bool> cancel_{false};
};

}  // namespace attnscope::gui
