#include "app/gui/gui_script.h"

#include <QApplication>
#include <algorithm>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QDockWidget>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>

#include "app/gui/export_dialog.h"
#include "app/gui/main_window.h"
#include "app/gui/run_panel.h"
#include "core/session/session_reader.h"
#include <qcustomplot.h>

#include "widgets/head_grid.h"
#include "widgets/heatmap_view.h"
#include "widgets/outputs_panel.h"
#include "core/util/atomic_output.h"
#include "core/util/error.h"
#include "core/util/input_file.h"

namespace attnscope::gui {

GuiScript::GuiScript(MainWindow* window, const QStringList& lines, QObject* parent)
    : QObject(parent), window_(window), lines_(lines) {}

QStringList GuiScript::read(const QString& path) {
  return QString::fromStdString(files::read_file(path.toStdString())).split('\n');
}

void GuiScript::start() { QTimer::singleShot(0, this, &GuiScript::next); }

void GuiScript::next() {
  while (at_ < lines_.size()) {
    current_ = lines_[at_++].trimmed();
    if (current_.isEmpty() || current_.startsWith('#')) continue;
    return step(current_.split(' ', Qt::SkipEmptyParts));
  }
  QApplication::exit(0);
}

void GuiScript::fail(const QString& message) {
  std::fprintf(stderr, "attnscope gui --script: line %d '%s': %s\n", at_, current_.toUtf8().constData(),
               message.toUtf8().constData());
  QApplication::exit(1);
}

// Continues once the window reports the run (or ablation) finished.
void GuiScript::wait_then_next(void (MainWindow::*done)()) {
  auto connections = std::make_shared<QList<QMetaObject::Connection>>();
  auto finish = [this, connections](const QString& error) {
    for (const auto& c : *connections) disconnect(c);
    if (error.isEmpty()) next();
    else fail(error);
  };
  *connections << connect(window_, done, this, [finish] { finish({}); });
  *connections << connect(window_, &MainWindow::run_failed, this, [finish](const QString& m) { finish(m); });
}

void GuiScript::wait_for_drawing() {
  // The region is asked for on the next turn of the event loop, then computed: look again shortly.
  QTimer::singleShot(20, this, [this] {
    if (window_->heatmap()->drawing()) return wait_for_drawing();
    next();
  });
}

// Starts the window's work and continues when it reports `done`; a refusal
// (nothing started) fails the step with the window's message.
void GuiScript::start_and_wait(void (MainWindow::*done)(), const std::function<void()>& start) {
  wait_then_next(done);
  start();
  if (window_->busy()) return;
  disconnect(window_, nullptr, this, nullptr);
  fail(window_->run_panel()->status());
}

bool GuiScript::write_state(const QString& path) const {
  QJsonArray ablated;
  for (int l = 0; l < window_->grid()->row_count(); ++l)
    for (int h = 0; h < window_->grid()->head_count(l); ++h)
      if (window_->grid()->is_ablated(l, h)) ablated.append(QJsonArray{l, h});
  QJsonObject state{{"session", window_->session() ? QString::fromStdString(window_->session()->path().string()) : ""},
                    {"row", window_->current_row_label()},
                    {"head", window_->current_head()},
                    {"ablated", ablated},
                    {"ablation", window_->last_ablation() ? QString::fromStdString(window_->last_ablation()->spec()) : QString()},
                    {"outputs", window_->outputs()->delta_text()},
                    {"status", window_->run_panel()->status()},
                    {"grid", window_->grid_shows()},
                    {"checkpoint", window_->run_panel()->checkpoint()},
                    {"prompt", window_->run_panel()->prompt()},
                    {"target", window_->target() >= 0 ? window_->token_text(window_->target()) : QString()},
                    {"mode", window_->ablation_mode()},
                    {"unsaved", window_->has_unsaved_changes()},
                    {"window", QJsonArray{window_->width(), window_->height()}},
                    {"side_panels", QJsonArray{window_->run_dock()->width(), window_->outputs_dock()->width()}}};
  if (const auto& sweep = window_->last_sweep()) {
    // The head whose ablation lowers log p(target) most, as "row head".
    int worst_row = -1, worst_head = -1;
    double worst = 0;
    for (int r = 0; r < sweep->delta_logprob.size(); ++r)
      for (int h = 0; h < sweep->delta_logprob[r].size(); ++h)
        if (sweep->delta_logprob[r][h] < worst) worst = sweep->delta_logprob[r][h], worst_row = r, worst_head = h;
    state["sweep"] = QJsonObject{{"target", sweep->target_token},
                                 {"mode", sweep->mode},
                                 {"worst_row", worst_row},
                                 {"worst_head", worst_head},
                                 {"worst_delta_logprob", worst}};
  }
  if (const auto& along = window_->last_position_patch()) {
    const auto best = std::max_element(along->recovered_at.begin(), along->recovered_at.end());
    state["position_patch"] = QJsonObject{{"head", along->head_name},
                                          {"best_position", static_cast<int>(best - along->recovered_at.begin())},
                                          {"best_recovered", *best}};
  }
  if (const auto& patch = window_->last_patch()) {
    // The head whose patch recovers most, as "row head".
    int best_row = -1, best_head = -1;
    double best = -1e300;
    for (int r = 0; r < patch->recovered.size(); ++r)
      for (int h = 0; h < patch->recovered[r].size(); ++h)
        if (patch->recovered[r][h] > best) best = patch->recovered[r][h], best_row = r, best_head = h;
    state["patch"] = QJsonObject{{"target", patch->target_token},
                                 {"foil", patch->foil_token},
                                 {"best_row", best_row},
                                 {"best_head", best_head},
                                 {"best_recovered", best}};
  }
  try {
    files::write_file_atomically(path.toStdString(), QJsonDocument(state).toJson().toStdString());
    return true;
  } catch (const Error&) {
    return false;
  }
}

void GuiScript::step(const QStringList& words) {
  const QString verb = words.front();
  const auto arg = [&words](int i) { return i < words.size() ? words[i] : QString(); };
  const auto needs = [&](int n) {
    if (words.size() == n + 1) return true;
    fail(QString("expects %1 argument(s)").arg(n));
    return false;
  };
  if (verb == "run") {
    if (!needs(0)) return;
    wait_then_next(&MainWindow::run_done);
    window_->start_run();
    if (!window_->busy()) fail(window_->run_panel()->status());
  } else if (verb == "ablate" || verb == "open-head") {
    if (!needs(2)) return;
    // LAYER is a row label: "3", or "3.attn" / "3.ssm" where layer 3 has several mixers.
    bool ok_head = false;
    const int row = window_->row_of_label(arg(1)), head = arg(2).toInt(&ok_head);
    if (row < 0 || !ok_head) return fail("expects LAYER HEAD: a layer (3, or 3.attn where it has several mixers) and a head");
    if (verb == "open-head") {
      window_->open_head(row, head);
      if (window_->current_row() != row || window_->current_head() != head) return fail("no such head");
      if (!window_->head_pending()) return next();
      // A long prompt's map is computed off the window's thread: continue once it is shown.
      return wait_then_next(&MainWindow::head_shown);
    }
    const auto before = window_->exploration().state();
    wait_then_next(&MainWindow::ablation_done);
    window_->toggle_ablation(row, head);
    if (window_->busy()) return;  // the re-run reports back
    disconnect(window_, nullptr, this, nullptr);
    // Refused (no model, no session) changes nothing; a cached result shows at once.
    if (window_->exploration().state() == before) return fail(window_->run_panel()->status());
    next();
  } else if (verb == "sweep") {
    if (!needs(0)) return;
    start_and_wait(&MainWindow::sweep_done, [&] { window_->start_sweep(); });
  } else if (verb == "patch") {
    if (!needs(1)) return;
    QFile file(arg(1));
    if (!file.open(QIODevice::ReadOnly)) return fail("cannot read " + arg(1));
    QString corrupted = QString::fromUtf8(file.readAll());
    if (corrupted.endsWith('\n')) corrupted.chop(1);  // as an editor saves the prompt
    start_and_wait(&MainWindow::patch_done, [&] { window_->start_patch(corrupted); });
  } else if (verb == "graft") {
    // graft TASK STEPS FOLDER [ssm]: the shown head, as Analysis > Replace Shown Head with Attention.
    if (words.size() != 4 && words.size() != 5) return fail("expects TASK STEPS FOLDER [ssm], e.g. graft mqar:16 300 out");
    if (window_->current_row() < 0 || window_->current_head() < 0) return fail("open a head first (open-head LAYER HEAD)");
    bool ok_steps = false;
    GraftRequest request;
    request.layer = window_->session()->mixer(window_->current_row()).layer;
    request.head = window_->current_head();
    request.task = arg(1);
    request.steps = arg(2).toInt(&ok_steps);
    request.out_dir = arg(3);
    request.attention = words.size() == 4;
    if (!ok_steps || (words.size() == 5 && arg(4) != "ssm")) return fail("expects TASK STEPS FOLDER [ssm]");
    start_and_wait(&MainWindow::graft_done, [&] { window_->start_graft(request); });
  } else if (verb == "checkpoint") {
    if (!needs(1)) return;
    window_->run_panel()->set_checkpoint(arg(1));
    next();
  } else if (verb == "patch-positions") {
    if (!needs(0)) return;
    start_and_wait(&MainWindow::patch_done, [&] { window_->start_position_patch(); });
  } else if (verb == "grid") {
    if (!needs(1)) return;
    if (!window_->set_grid_shows(arg(1)))
      return fail("expects maps, delta, kl or patch (delta and kl after a sweep, patch after patching)");
    next();
  } else if (verb == "save" || verb == "open") {
    if (!needs(1)) return;
    const bool ok = verb == "save" ? window_->save_session(arg(1)) : window_->open_session(arg(1));
    if (!ok) return fail(window_->run_panel()->status());
    next();
  } else if (verb == "export") {
    if (words.size() < 2) return fail("expects FILE [WIDTH_MM HEIGHT_MM] [marks] [zoomed]");
    FigureChoice choice = default_figure_choice(window_->current_panels());
    int at = 2;
    if (words.size() > 3 && words[2].toDouble() > 0 && words[3].toDouble() > 0)
      choice.size.width_mm = words[2].toDouble(), choice.size.height_mm = words[3].toDouble(), at = 4;
    for (; at < words.size(); ++at) {
      if (words[at] == "marks") choice.marks = true;
      else if (words[at] == "zoomed") choice.zoomed = true;
      else return fail("expects FILE [WIDTH_MM HEIGHT_MM] [marks] [zoomed]");
    }
    const QString error = window_->export_current(arg(1), choice);
    if (!error.isEmpty()) return fail(error);
    next();
  } else if (verb == "prompt" || verb == "target") {
    // The rest of the line, as typed ("\\n" for a newline in a prompt).
    QString rest = current_.mid(verb.size() + 1);
    if (rest.isEmpty()) return fail("expects the text after " + verb);
    if (verb == "prompt") {
      window_->run_panel()->set_prompt(rest.replace("\\n", "\n"));
    } else if (!window_->set_target(rest)) {
      return fail(window_->run_panel()->status());
    }
    next();
  } else if (verb == "mode") {
    if (!needs(1)) return;
    if (arg(1) != "zero" && arg(1) != "mean" && arg(1) != "uniform") return fail("expects zero, mean or uniform");
    window_->choose_ablation_mode(arg(1));
    // With heads ablated the mode re-runs them (unless cached): wait for it.
    if (window_->busy()) return wait_then_next(&MainWindow::ablation_done);
    next();
  } else if (verb == "scale") {
    if (!needs(1)) return;
    if (arg(1) != "linear" && arg(1) != "log") return fail("expects linear or log");
    window_->set_log_scale(arg(1) == "log");
    next();
  } else if (verb == "display") {
    if (!needs(2)) return;
    const QStringList options = {"row-normalise", "clip", "hide-diagonal"};
    if (!options.contains(arg(1)) || (arg(2) != "on" && arg(2) != "off"))
      return fail("expects row-normalise, clip or hide-diagonal, then on or off");
    widgets::DisplayOptions d = window_->display();
    const bool on = arg(2) == "on";
    if (arg(1) == "row-normalise") d.row_normalise = on;
    else if (arg(1) == "clip") d.clip_percentile = on ? 99 : 100;
    else d.hide_diagonal = on;
    window_->set_display(d);
    wait_for_drawing();  // a long map's pass for the new options
  } else if (verb == "zoom") {
    if (!needs(4)) return;
    // Queries R0..R1 and keys C0..C1 (inclusive) fill the head tab's map.
    window_->heatmap()->plot()->yAxis->setRange(arg(1).toDouble() - 0.5, arg(2).toDouble() + 0.5);
    window_->heatmap()->plot()->xAxis->setRange(arg(3).toDouble() - 0.5, arg(4).toDouble() + 0.5);
    window_->heatmap()->plot()->replot();
    wait_for_drawing();  // a long map's region is computed off the window's thread
  } else if (verb == "window") {
    if (!needs(2)) return;
    window_->resize(arg(1).toInt(), arg(2).toInt());
    QTimer::singleShot(200, this, [this] { next(); });  // the dock layout settles after the resize
  } else if (verb == "screenshot") {
    if (!needs(1)) return;
    const QString path = arg(1);
    // Let pending paints land first.
    QTimer::singleShot(300, this, [this, path] {
      if (!window_->grab().save(path)) return fail("cannot write " + path);
      next();
    });
  } else if (verb == "tab") {
    if (!needs(1)) return;
    const QStringList names = {"head", "diff", "compare"};
    if (!names.contains(arg(1))) return fail("expects head, diff or compare");
    window_->tabs()->setCurrentIndex(static_cast<int>(names.indexOf(arg(1))));
    next();
  } else if (verb == "pin" || verb == "unpin") {
    if (!needs(0)) return;
    verb == "pin" ? window_->pin_for_compare() : window_->unpin_compare();
    next();
  } else if (verb == "state") {
    if (!needs(1)) return;
    if (!write_state(arg(1))) return fail("cannot write " + arg(1));
    next();
  } else if (verb == "quit") {
    QApplication::exit(0);
  } else {
    fail("unknown step (expected run, ablate, open-head, sweep, patch, patch-positions, graft, checkpoint, grid, tab, pin, unpin, save, open, prompt, target, mode, scale, "
         "export, display, zoom, window, screenshot, state or quit)");
  }
}

}  // namespace attnscope::gui
