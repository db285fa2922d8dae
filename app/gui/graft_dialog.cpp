#include "app/gui/graft_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QStandardPaths>
#include <QVBoxLayout>

namespace attnscope::gui {

GraftDialog::GraftDialog(const QString& checkpoint, int layer, int head, QWidget* parent)
    : QDialog(parent), checkpoint_(QDir::cleanPath(checkpoint)), layer_(layer), head_(head) {
  setWindowTitle(tr("Replace Head %1.%2 with Attention").arg(layer).arg(head));
  auto* layout = new QVBoxLayout(this);
  auto* explain = new QLabel(
      tr("Head %1.%2 becomes a softmax attention head: new queries and keys read the layer's input (started from the "
         "head's own C and B projections); its values, gate, norm and output projection stay the SSM head's. Only "
         "the new queries, keys and a gain are trained on the task; every other weight is frozen. The result is a new "
         "checkpoint; the model on show is not changed.")
          .arg(layer)
          .arg(head),
      this);
  explain->setWordWrap(true);
  layout->addWidget(explain);

  auto* form = new QFormLayout;
  auto* task_row = new QHBoxLayout;
  task_ = new QComboBox(this);
  task_->setObjectName("graft_task");
  for (const char* name : {"mqar", "letters", "dictionary", "phonebook", "induction"}) task_->addItem(name);
  size_ = new QSpinBox(this);
  size_->setObjectName("graft_task_size");
  size_->setRange(1, 256);
  size_->setValue(16);
  size_->setToolTip(tr("Pairs, options or entries per example: retrieval gets harder as it grows"));
  task_row->addWidget(task_, 1);
  task_row->addWidget(new QLabel(tr("size"), this));
  task_row->addWidget(size_);
  auto* task_label = new QLabel(tr("&Task:"), this);
  task_label->setBuddy(task_);
  form->addRow(task_label, task_row);
  steps_ = new QSpinBox(this);
  steps_->setObjectName("graft_steps");
  steps_->setRange(0, 100000);
  steps_->setSingleStep(50);
  steps_->setValue(300);
  steps_->setToolTip(tr("Training steps of 32 examples; 0 writes the grafted model untrained"));
  form->addRow(tr("&Steps:"), steps_);
  control_ = new QCheckBox(tr("Control: fine-tune the SSM head itself instead (same budget)"), this);
  control_->setObjectName("graft_control");
  form->addRow(QString(), control_);
  auto* folder_row = new QHBoxLayout;
  folder_ = new QLineEdit(this);
  folder_->setObjectName("graft_folder");
  auto* browse = new QPushButton(tr("&Browse…"), this);
  folder_row->addWidget(folder_, 1);
  folder_row->addWidget(browse);
  auto* folder_label = new QLabel(tr("&Output folder:"), this);
  folder_label->setBuddy(folder_);
  form->addRow(folder_label, folder_row);
  layout->addLayout(form);

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("&Train"));
  layout->addWidget(buttons);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(control_, &QCheckBox::toggled, this, [this] { update_default_folder(); });
  connect(folder_, &QLineEdit::textEdited, this, [this] { folder_edited_ = true; });
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getSaveFileName(this, tr("Folder for the new checkpoint"), folder_->text());
    if (!dir.isEmpty()) folder_->setText(dir), folder_edited_ = true;
  });
  update_default_folder();
  resize(560, sizeHint().height());
}

void GraftDialog::update_default_folder() {
  if (folder_edited_) return;
  // Beside the checkpoint, unless that folder is read-only (an installed demo): then in Documents.
  const QFileInfo source(checkpoint_);
  const QString parent = QFileInfo(source.absolutePath()).isWritable()
                             ? source.absolutePath()
                             : QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
  folder_->setText(QDir(parent).filePath(QString("%1-%2-%3.%4")
                                             .arg(source.fileName(), control_->isChecked() ? "finetuned" : "grafted")
                                             .arg(layer_)
                                             .arg(head_)));
}

GraftRequest GraftDialog::request() const {
  GraftRequest r;
  r.layer = layer_, r.head = head_;
  r.attention = !control_->isChecked();
  r.task = QString("%1:%2").arg(task_->currentText()).arg(size_->value());
  r.steps = steps_->value();
  r.out_dir = folder_->text().trimmed();
  return r;
}

std::optional<GraftRequest> ask_graft(QWidget* parent, const QString& checkpoint, int layer, int head) {
  GraftDialog dialog(checkpoint, layer, head, parent);
  if (dialog.exec() != QDialog::Accepted) return std::nullopt;
  return dialog.request();
}

}  // namespace attnscope::gui
