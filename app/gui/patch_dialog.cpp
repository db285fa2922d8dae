#include "app/gui/patch_dialog.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace attnscope::gui {

QString shuffle_options(const QString& prompt) {
  QStringList lines = prompt.split('\n');
  // "A. text", "B) text", "(C) text": a letter label, then the option's text.
  static const QRegularExpression option(R"(^(\s*\(?[A-Z][.)]\)?\s+)(.*)$)");
  QVector<int> at;
  QStringList texts;
  for (int i = 0; i < lines.size(); ++i) {
    const auto m = option.match(lines[i]);
    if (!m.hasMatch()) continue;
    at.append(i);
    texts.append(m.captured(2));
  }
  if (at.size() < 2) return prompt;
  for (int k = 0; k < at.size(); ++k) {
    const auto m = option.match(lines[at[k]]);
    lines[at[k]] = m.captured(1) + texts[(k + texts.size() - 1) % texts.size()];
  }
  return lines.join('\n');
}

std::optional<QString> ask_corrupted_prompt(QWidget* parent, const QString& clean) {
  QDialog dialog(parent);
  dialog.setWindowTitle(QObject::tr("Patch Heads from a Corrupted Prompt"));
  auto* layout = new QVBoxLayout(&dialog);
  auto* explain = new QLabel(
      QObject::tr("Each head's output from the clean run is copied into the run of the corrupted prompt; the grid then "
                  "shows how much of the answer's logit difference it brings back. Change what the answer depends on "
                  "(a word, the order of the options), keeping the number of tokens."),
      &dialog);
  explain->setWordWrap(true);
  layout->addWidget(explain);
  layout->addWidget(new QLabel(QObject::tr("Clean prompt (the run on show):"), &dialog));
  auto* clean_view = new QPlainTextEdit(clean, &dialog);
  clean_view->setReadOnly(true);
  clean_view->setObjectName("clean_prompt");
  layout->addWidget(clean_view);
  layout->addWidget(new QLabel(QObject::tr("Corrupted prompt:"), &dialog));
  auto* corrupted = new QPlainTextEdit(clean, &dialog);
  corrupted->setObjectName("corrupted_prompt");
  layout->addWidget(corrupted);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
  auto* shuffle = buttons->addButton(QObject::tr("&Shuffle Options"), QDialogButtonBox::ActionRole);
  buttons->button(QDialogButtonBox::Ok)->setText(QObject::tr("&Patch"));
  QObject::connect(shuffle, &QPushButton::clicked, &dialog,
                   [corrupted] { corrupted->setPlainText(shuffle_options(corrupted->toPlainText())); });
  QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
  QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
  layout->addWidget(buttons);
  dialog.resize(560, 420);
  corrupted->setFocus();
  if (dialog.exec() != QDialog::Accepted) return std::nullopt;
  return corrupted->toPlainText();
}

}  // namespace attnscope::gui
