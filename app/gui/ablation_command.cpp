#include "app/gui/ablation_command.h"

namespace attnscope::gui {

ToggleAblationCommand::ToggleAblationCommand(AblationSet* set, HeadRef head, std::function<void()> apply)
    : set_(set), head_(head), apply_(std::move(apply)) {
  setText(QString("%1 head %2.%3%4")
              .arg(set->contains(head) ? QObject::tr("Restore") : QObject::tr("Ablate"))
              .arg(head.layer)
              .arg(head.mixer.isEmpty() ? QString() : head.mixer + ".")
              .arg(head.head));
}

void ToggleAblationCommand::flip() {
  if (set_->contains(head_)) set_->remove(head_);
  else set_->insert(head_);
  apply_();
}

SetAblationModeCommand::SetAblationModeCommand(QString from, QString to, std::function<void(const QString&)> apply)
    : from_(std::move(from)), to_(std::move(to)), apply_(std::move(apply)) {
  setText(QObject::tr("Ablate by %1").arg(to_));
}

SetTargetCommand::SetTargetCommand(qint64 from, qint64 to, const QString& label, std::function<void(qint64)> apply)
    : from_(from), to_(to), apply_(std::move(apply)) {
  setText(QObject::tr("Target %1").arg(label));
}

void ToggleAblationCommand::redo() { flip(); }
void ToggleAblationCommand::undo() { flip(); }

}  // namespace attnscope::gui
