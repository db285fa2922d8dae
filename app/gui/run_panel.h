#pragma once
// The run panel: checkpoint folder (browse, recent list, drag and drop,
// bundled demos), prompt editor, device, Run with a progress bar, Cancel.
#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace attnscope::gui {

class RunPanel : public QWidget {
  Q_OBJECT
 public:
  explicit RunPanel(QWidget* parent = nullptr);

  QString checkpoint() const;
  void set_checkpoint(const QString& path);
  QString prompt() const;
  void set_prompt(const QString& text);
  QString device() const;
  void set_demos(const QStringList& folders);  // bundled demo checkpoints
  // A reopened session's model is not on this machine: a button offers to
  // locate the folder (hidden again once a checkpoint is set).
  void offer_to_locate(const QString& missing_source);
  QPushButton* locate_button() const { return locate_; }
  void set_busy(bool busy);
  void set_progress(int done, int total, const QString& stage);
  void set_status(const QString& text, bool error = false);
  QString status() const;
  QPushButton* run_button() const { return run_; }
  QPushButton* cancel_button() const { return cancel_; }
  QProgressBar* progress_bar() const { return progress_; }

 signals:
  void run_requested();
  void cancel_requested();

 protected:
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void remember(const QString& path);
  QComboBox* checkpoint_;
  QPlainTextEdit* prompt_;
  QComboBox* device_;
  QPushButton* run_;
  QPushButton* cancel_;
  QPushButton* locate_;
  QProgressBar* progress_;
  QLabel* status_;
};

}  // namespace attnscope::gui
