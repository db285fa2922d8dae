#pragma once
// Toggling a head's ablation is an undoable command: undo and redo move
// through ablation sets, and the window re-runs (or reuses a cached run).
#include <QSet>
#include <QUndoCommand>
#include <functional>

#include "app/gui/run_types.h"

namespace attnscope::gui {

inline size_t qHash(const HeadRef& h, size_t seed = 0) {
  return ::qHash(h.layer * 100003 + h.head, seed) ^ ::qHash(h.mixer, seed);
}

using AblationSet = QSet<HeadRef>;

class ToggleAblationCommand : public QUndoCommand {
 public:
  // `apply` installs a set (and triggers the re-run); called on redo and undo.
  ToggleAblationCommand(AblationSet* set, HeadRef head, std::function<void()> apply);
  void redo() override;
  void undo() override;

 private:
  void flip();
  AblationSet* set_;
  HeadRef head_;
  std::function<void()> apply_;
};

// Choosing the target token is undoable.
class SetTargetCommand : public QUndoCommand {
 public:
  SetTargetCommand(qint64 from, qint64 to, const QString& label, std::function<void(qint64)> apply);
  void redo() override { apply_(to_); }
  void undo() override { apply_(from_); }

 private:
  qint64 from_, to_;
  std::function<void(qint64)> apply_;
};

// Changing the ablation mode (zero, mean, uniform) is undoable too.
class SetAblationModeCommand : public QUndoCommand {
 public:
  // `apply` installs a mode (and triggers the re-run); called on redo and undo.
  SetAblationModeCommand(QString from, QString to, std::function<void(const QString&)> apply);
  void redo() override { apply_(to_); }
  void undo() override { apply_(from_); }

 private:
  QString from_, to_;
  std::function<void(const QString&)> apply_;
};

}  // namespace attnscope::gui
