#include "app/gui/run_panel.h"

#include <QComboBox>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QFileInfo>
#include <QSettings>
#include <QToolButton>
#include <QVBoxLayout>

namespace attnscope::gui {

RunPanel::RunPanel(QWidget* parent)
    : QWidget(parent),
      checkpoint_(new QComboBox(this)),
      prompt_(new QPlainTextEdit(this)),
      device_(new QComboBox(this)),
      run_(new QPushButton(tr("&Run"), this)),
      cancel_(new QPushButton(tr("Cancel"), this)),
      progress_(new QProgressBar(this)),
      status_(new QLabel(this)) {
  setObjectName("run_panel");
  setAcceptDrops(true);
  checkpoint_->setEditable(true);
  checkpoint_->setObjectName("checkpoint");
  checkpoint_->setToolTip(tr("A checkpoint folder in the Hugging Face layout (config.json + safetensors). "
                             "Drop a folder here."));
  checkpoint_->setInsertPolicy(QComboBox::NoInsert);
  // A Hugging Face cache path is 100+ characters: the list shows it elided
  // (full path in the tooltip) instead of widening the window off screen.
  checkpoint_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
  checkpoint_->setMinimumContentsLength(16);
  checkpoint_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);
  const QString about = checkpoint_->toolTip();
  connect(checkpoint_, &QComboBox::currentTextChanged, checkpoint_,
          [this, about](const QString& text) { checkpoint_->setToolTip(text.isEmpty() ? about : text + "\n\n" + about); });
  // Folders deleted or moved since they were used drop out of the list.
  for (const QString& path : QSettings().value("recent_checkpoints").toStringList())
    if (QFileInfo(path).isDir()) checkpoint_->addItem(path);
  auto* browse = new QToolButton(this);
  browse->setText("…");
  browse->setToolTip(tr("Choose a checkpoint folder"));
  connect(browse, &QToolButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Checkpoint folder"), checkpoint());
    if (!dir.isEmpty()) set_checkpoint(dir);
  });
  auto* row = new QHBoxLayout;
  row->addWidget(checkpoint_, 1);
  row->addWidget(browse);
  locate_ = new QPushButton(this);
  locate_->setObjectName("locate_model");
  locate_->setVisible(false);
  connect(locate_, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, locate_->toolTip(), QString());
    if (!dir.isEmpty()) set_checkpoint(dir);
  });
  connect(checkpoint_, &QComboBox::currentTextChanged, locate_, [this](const QString& text) {
    if (!text.trimmed().isEmpty()) locate_->setVisible(false);
  });

  prompt_->setObjectName("prompt");
  prompt_->setPlaceholderText(tr("Prompt text"));
  prompt_->setTabChangesFocus(true);
  device_->addItems({"auto", "cpu", "cuda"});
  device_->setObjectName("device");
  run_->setObjectName("run");
  run_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
  run_->setToolTip(tr("Run the model on the prompt (Ctrl+Enter)"));
  cancel_->setObjectName("cancel");
  cancel_->setEnabled(false);
  cancel_->setShortcut(QKeySequence(Qt::Key_Escape));
  progress_->setObjectName("progress");
  progress_->setTextVisible(true);
  progress_->setValue(0);
  status_->setWordWrap(true);
  status_->setObjectName("status");
  status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

  auto* form = new QFormLayout;
  form->addRow(tr("Checkpoint"), row);
  form->addRow(QString(), locate_);
  form->addRow(tr("Device"), device_);
  auto* buttons = new QHBoxLayout;
  buttons->addWidget(run_);
  buttons->addWidget(cancel_);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(new QLabel(tr("Prompt"), this));
  layout->addWidget(prompt_, 1);
  layout->addLayout(buttons);
  layout->addWidget(progress_);
  layout->addWidget(status_);

  connect(run_, &QPushButton::clicked, this, [this] {
    remember(checkpoint());
    emit run_requested();
  });
  connect(cancel_, &QPushButton::clicked, this, &RunPanel::cancel_requested);
}

QString RunPanel::checkpoint() const { return checkpoint_->currentText().trimmed(); }

void RunPanel::offer_to_locate(const QString& missing_source) {
  const QString name = QFileInfo(missing_source).fileName();
  locate_->setText(tr("Locate the model %1\u2026").arg(name.isEmpty() ? missing_source : name));
  locate_->setToolTip(tr("The session was run on %1, which is not on this machine. Choose that checkpoint folder "
                         "to run or ablate further.").arg(missing_source));
  locate_->setVisible(true);
}

void RunPanel::set_checkpoint(const QString& path) {
  const int i = checkpoint_->findText(path);
  if (i >= 0) checkpoint_->setCurrentIndex(i);
  else checkpoint_->setEditText(path);
}

QString RunPanel::prompt() const { return prompt_->toPlainText(); }
void RunPanel::set_prompt(const QString& text) { prompt_->setPlainText(text); }
QString RunPanel::device() const { return device_->currentText(); }

void RunPanel::set_demos(const QStringList& folders) {
  for (const auto& f : folders)
    if (checkpoint_->findText(f) < 0) checkpoint_->addItem(f);
}

void RunPanel::set_busy(bool busy) {
  run_->setEnabled(!busy);
  cancel_->setEnabled(busy);
  if (busy) progress_->setValue(0);  // a new job starts from nothing
  else progress_->setFormat("%p%");
}

void RunPanel::set_progress(int done, int total, const QString& stage) {
  progress_->setMaximum(std::max(1, total));
  progress_->setValue(done);
  progress_->setFormat(stage);
}

void RunPanel::set_status(const QString& text, bool error) {
  status_->setText(text);
  status_->setStyleSheet(error ? "color: #b2182b;" : "");
}

QString RunPanel::status() const { return status_->text(); }

void RunPanel::remember(const QString& path) {
  if (path.isEmpty()) return;
  QSettings settings;
  QStringList recent = settings.value("recent_checkpoints").toStringList();
  recent.removeAll(path);
  recent.prepend(path);
  settings.setValue("recent_checkpoints", recent.mid(0, 10));
}

void RunPanel::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void RunPanel::dropEvent(QDropEvent* event) {
  const auto urls = event->mimeData()->urls();
  if (!urls.isEmpty()) set_checkpoint(urls.first().toLocalFile());
}

}  // namespace attnscope::gui
