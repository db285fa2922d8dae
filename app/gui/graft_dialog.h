#pragma once
// Asks how to replace the shown SSM head by attention (core/train/graft.h):
// the task the new head is trained on, the steps, where the new checkpoint
// goes, and whether to run the control instead (fine-tune the SSM head).
// Nothing here touches the model; the runner does the work.
#include <QDialog>
#include <optional>

#include "app/gui/run_types.h"

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace attnscope::gui {

class GraftDialog : public QDialog {
  Q_OBJECT
 public:
  // checkpoint: the loaded folder (the default output goes beside it).
  GraftDialog(const QString& checkpoint, int layer, int head, QWidget* parent = nullptr);
  GraftRequest request() const;

 private:
  void update_default_folder();
  QString checkpoint_;
  int layer_, head_;
  QComboBox* task_;
  QSpinBox* size_;
  QSpinBox* steps_;
  QCheckBox* control_;
  QLineEdit* folder_;
  bool folder_edited_ = false;
};

// The request, or nothing when cancelled.
std::optional<GraftRequest> ask_graft(QWidget* parent, const QString& checkpoint, int layer, int head);

}  // namespace attnscope::gui
