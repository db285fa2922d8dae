#pragma once
// Drives the window from a file of steps, one per line, for automation and
// the end-to-end test (`attnscope gui --script steps.txt`):
//   run                 run the checkpoint and prompt in the run panel
//   ablate LAYER HEAD   toggle a head's ablation (waits for the re-run); LAYER is
//                       "3", or "3.attn" / "3.ssm" where layer 3 has several mixers
//   open-head LAYER HEAD
//   sweep               ablate every head alone (waits); the grid shows the change in log p
//   patch FILE          patch every head from the shown run into the run of the
//                       corrupted prompt in FILE (waits); the grid shows the recovered fraction
//   patch-positions     the shown head patched at one position at a time (after patch; waits)
//   graft TASK STEPS FOLDER [ssm]  replace the shown Mamba-2 head by attention and
//                       train it (or, with ssm, fine-tune it: the control); waits
//   checkpoint FOLDER   the checkpoint the next run loads
//   prompt TEXT         the prompt the next run uses (the rest of the line; \n a newline)
//   target TEXT         the target token ("·B", or "#id"; the rest of the line)
//   mode zero|mean|uniform  the ablation mode (waits for the re-run when heads are ablated)
//   scale linear|log    the maps' colour scale
//   grid maps|delta|kl|patch  what the grid shows (after a sweep, after patching)
//   tab head|diff|compare  show a tab (export draws the tab on show)
//   pin                 pin the shown head to the Compare tab's left (again: re-pin)
//   unpin               empty the Compare tab
//   save FILE.h5        save the session (with its ablations)
//   open FILE.h5        open a saved session (no model needed)
//   export FILE [WIDTH_MM HEIGHT_MM] [marks] [zoomed]
//                       export the tab on show as a paper figure (pdf, svg or png)
//   display row-normalise|clip|hide-diagonal on|off   how every map is drawn
//   zoom R0 R1 C0 C1    show queries R0..R1 against keys C0..C1 in the head tab
//   window WIDTH HEIGHT resize the window (pixels)
//   screenshot FILE.png grab the whole window
//   state FILE.json     what the window shows: session, head, ablated heads, outputs
//   quit
// Blank lines and lines starting with '#' are skipped. Each step waits for
// the work it starts; a failing step prints one message and the app exits
// with status 1. After the last step the app quits with status 0.
#include <QObject>
#include <functional>
#include <QStringList>

namespace attnscope::gui {

class MainWindow;

class GuiScript : public QObject {
  Q_OBJECT
 public:
  GuiScript(MainWindow* window, const QStringList& lines, QObject* parent = nullptr);
  // Reads a script file; throws attnscope::Error when it cannot.
  static QStringList read(const QString& path);
  void start();

 private:
  void next();
  void step(const QStringList& words);
  // Continues when the window emits `done`, fails on run_failed.
  void wait_then_next(void (MainWindow::*done)());
  void start_and_wait(void (MainWindow::*done)(), const std::function<void()>& start);
  // Continues once the head tab has drawn the region on show (at once for a map held whole).
  void wait_for_drawing();
  void fail(const QString& message);
  bool write_state(const QString& path) const;
  MainWindow* window_;
  QStringList lines_;
  int at_ = 0;
  QString current_;
};

}  // namespace attnscope::gui
