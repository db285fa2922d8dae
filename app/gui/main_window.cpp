// LibTorch (through the ablation parser) before Qt: Qt's `slots` macro breaks it.
#include "core/ablation/ablation_spec.h"
#include "core/session/checked_open.h"
// Qt after torch.
#include "app/gui/main_window.h"

#include "app/gui/figure_output.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QResizeEvent>
#include <limits>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QDir>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QToolBar>
#include <qcustomplot.h>
#include <filesystem>

#include "app/gui/export_command_line.h"
#include "app/gui/export_dialog.h"
#include "app/gui/graft_dialog.h"
#include "app/gui/patch_dialog.h"
#include "app/gui/position_patch_view.h"
#include "app/gui/results_csv.h"
#include "app/gui/head_summary.h"
#include "core/session/token_probabilities.h"
#include "app/gui/quick_tour.h"
#include "attnscope/version.h"
#include "core/runtime/versions.h"
#include "app/gui/factor_map_source.h"
#include "app/gui/model_runner.h"
#include "app/gui/run_panel.h"
#include "core/mixing/head_metrics.h"
#include "core/session/exploration_save.h"
#include "core/session/half_float.h"
#include "core/session/session_reader.h"
#include "widgets/head_grid.h"
#include "widgets/heatmap_view.h"
#include "widgets/linked_views.h"
#include "widgets/token_text_view.h"
#include "widgets/outputs_panel.h"

namespace attnscope::gui {
namespace {
widgets::HeatmapData head_data(const session::SessionReader& s, std::vector<float> values, const QString& title) {
  widgets::HeatmapData d;
  d.values = std::move(values);
  d.rows = d.cols = static_cast<int>(s.length());
  d.row_labels = d.col_labels = token_labels(s);
  d.title = title;
  return d;
}

QVector<widgets::TokenBar> bars(const std::vector<session::TopToken>& top) {
  QVector<widgets::TokenBar> out;
  for (const auto& t : top) out.append({QString::fromStdString(t.token), t.prob, t.id});
  return out;
}
}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      runner_(new ModelRunner),
      temp_dir_(std::make_unique<QTemporaryDir>()),
      run_panel_(new RunPanel(this)),
      grid_(new widgets::HeadGrid(this)),
      heatmap_(new widgets::HeatmapView(this)),
      before_(new widgets::HeatmapView(this)),
      after_(new widgets::HeatmapView(this)),
      diff_(new widgets::HeatmapView(this)),
      compare_left_(new widgets::HeatmapView(this)),
      compare_right_(new widgets::HeatmapView(this)),
      outputs_(new widgets::OutputsPanel(this)),
      tabs_(new QTabWidget(this)),
      session_label_(new QLabel(this)),
      token_text_(new widgets::TokenTextView(this)) {
  setWindowTitle("AttnScope");
  resize(1400, 900);
  qRegisterMetaType<RunRequest>();
  qRegisterMetaType<RunResult>();
  qRegisterMetaType<AblationRequest>();
  qRegisterMetaType<session::AblatedRun>();
  qRegisterMetaType<SweepRequest>();
  qRegisterMetaType<SweepOutcome>();
  qRegisterMetaType<PatchRequest>();
  qRegisterMetaType<GraftRequest>();
  qRegisterMetaType<GraftOutcome>();
  qRegisterMetaType<PatchOutcome>();

  auto* diff_page = new QWidget(this);
  auto* diff_layout = new QHBoxLayout(diff_page);
  for (auto* v : {before_, after_, diff_}) diff_layout->addWidget(v, 1);
  widgets::link_views({before_, after_, diff_});
  diff_->set_colour_map(widgets::ColourMapKind::Diverging);
  auto* compare_page = new QWidget(this);
  auto* compare_layout = new QHBoxLayout(compare_page);
  compare_layout->addWidget(compare_left_, 1);
  compare_layout->addWidget(compare_right_, 1);
  widgets::link_views({compare_left_, compare_right_});
  tabs_->addTab(heatmap_, tr("Head"));
  tabs_->addTab(diff_page, tr("Before / after / diff"));
  tabs_->addTab(compare_page, tr("Compare"));
  setCentralWidget(tabs_);

  auto add_dock = [this](QWidget* w, const QString& title, Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, this);
    dock->setObjectName(title);
    dock->setWidget(w);
    addDockWidget(area, dock);
    return dock;
  };
  auto* run_dock = add_dock(run_panel_, tr("Run"), Qt::LeftDockWidgetArea);
  run_dock_ = run_dock;
  auto* grid_scroll = new QScrollArea(this);
  grid_scroll->setWidget(grid_);
  grid_scroll->setWidgetResizable(true);
  auto* grid_dock = add_dock(grid_scroll, tr("Heads"), Qt::LeftDockWidgetArea);
  // The grid is what users scan: it gets most of the left column.
  resizeDocks({run_dock, grid_dock}, {320, 580}, Qt::Vertical);
  resizeDocks({run_dock}, {400}, Qt::Horizontal);
  auto* outputs_dock = add_dock(outputs_, tr("Outputs"), Qt::RightDockWidgetArea);
  outputs_dock_ = outputs_dock;
  // The prompt as text, tinted by the selected query's weights: long prompts are read here.
  text_scroll_ = new QScrollArea(this);
  text_scroll_->setWidget(token_text_);
  text_scroll_->setWidgetResizable(true);
  auto* text_dock = add_dock(text_scroll_, tr("Prompt"), Qt::RightDockWidgetArea);
  resizeDocks({outputs_dock, text_dock}, {480, 420}, Qt::Vertical);
  resizeDocks({outputs_dock}, {300}, Qt::Horizontal);
  connect(token_text_, &widgets::TokenTextView::token_hovered, heatmap_, &widgets::HeatmapView::select_row);
  connect(heatmap_, &widgets::HeatmapView::row_selected, this, [this] { update_token_text(); });
  connect(outputs_, &widgets::OutputsPanel::target_requested, this, [this](const QString& text) { set_target(text); });
  connect(heatmap_, &widgets::HeatmapView::drawing_failed, this, [this](const QString& message) {
    if (statusBar()->currentMessage().startsWith(tr("Computing layer"))) statusBar()->clearMessage();
    show_error(message);
    emit run_failed(message);  // a script waiting for the head stops with the reason
  });
  // Once a head's first screen-resolution image: a pass for new display options does not come here.
  connect(heatmap_, &widgets::HeatmapView::image_ready_now, this, [this] {
    head_on_show();
    if (statusBar()->currentMessage().startsWith(tr("Computing layer"))) statusBar()->clearMessage();
    emit head_shown();
  });
  statusBar()->addPermanentWidget(session_label_);
  build_menus();
  exploration_.on_change([this](const session::ExplorationState&) { on_exploration_changed(); });

  runner_->moveToThread(&worker_);
  connect(&worker_, &QThread::finished, runner_, &QObject::deleteLater);
  worker_.start();
  connect(runner_, &ModelRunner::progress, this, [this](int done, int total, const QString& stage) {
    run_panel_->set_progress(done, total, stage);
  });
  connect(runner_, &ModelRunner::run_finished, this, [this](const RunResult& r) {
    busy_ = false;
    run_panel_->set_busy(false);
    forget_results();
    live_ = show_session(r.session_path);
    if (live_) {
      live_run_ = shown_run_ = r.session_path;
      // A new run is an undoable step: nothing ablated, the mode kept, its own top-1 as the target.
      exploration_.start_run({{}, exploration_.state().mode, session_->outputs().target, r.session_path.toStdString()});
      run_panel_->set_status(tr("Ran %1.").arg(r.description));
    }
    emit run_done();
  });
  connect(runner_, &ModelRunner::ablation_finished, this, [this](const session::AblatedRun& r) {
    busy_ = false;
    run_panel_->set_busy(false);
    // The runner's run may no longer be on show (a run undone meanwhile): filed under it all the same.
    const auto filed = ablations_.add(live_run_.toStdString(), r);
    if (live_run_ == shown_run_ && QString::fromStdString(r.spec()) == ablation_key()) show_ablation(filed);
    emit ablation_done();
  });
  connect(runner_, &ModelRunner::sweep_finished, this, [this](const SweepOutcome& outcome) {
    busy_ = false;
    run_panel_->set_busy(false);
    show_sweep(outcome);
    results_modified_ = true;
    run_panel_->set_status(tr("Swept every head: the grid shows the change in log p(%1).").arg(outcome.target_token));
    emit sweep_done();
  });
  connect(runner_, &ModelRunner::patch_finished, this, [this](const PatchOutcome& outcome) {
    busy_ = false;
    run_panel_->set_busy(false);
    results_modified_ = true;
    if (!outcome.recovered_at.isEmpty()) {
      position_patch_ = outcome;
      QStringList tokens;
      for (const auto& t : session_->prompt().tokens) tokens << QString::fromStdString(t);
      auto* view = new PositionPatchView(outcome.head_name, tokens, outcome.recovered_at, this);
      view->setAttribute(Qt::WA_DeleteOnClose);
      view->show();
      run_panel_->set_status(tr("Patched head %1 at each position.").arg(outcome.head_name));
      emit patch_done();
      return;
    }
    show_patch(outcome);
    run_panel_->set_status(tr("Patched every head: the grid shows the recovered fraction of logit(%1) − logit(%2).")
                               .arg(outcome.target_token, outcome.foil_token));
    emit patch_done();
  });
  connect(runner_, &ModelRunner::graft_finished, this, [this](const GraftOutcome& outcome) {
    busy_ = false;
    run_panel_->set_busy(false);
    graft_ = outcome;
    run_panel_->set_status(tr("Head %1 %2; wrote %3.")
                               .arg(outcome.head_name, outcome.attention ? tr("replaced by attention") : tr("fine-tuned"),
                                    outcome.out_dir));
    // Not modal: a script (or the user) goes on; the model on show is unchanged.
    auto* box = new QMessageBox(QMessageBox::Information, tr("Head %1 %2").arg(outcome.head_name, outcome.attention ? tr("Replaced") : tr("Fine-Tuned")),
                                tr("Task accuracy (held-out examples):\n\n%1\nThe new checkpoint is in %2.")
                                    .arg(outcome.summary, outcome.out_dir),
                                QMessageBox::Close, this);
    auto* open = box->addButton(tr("&Open the New Model"), QMessageBox::AcceptRole);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(open, &QPushButton::clicked, this, [this, dir = outcome.out_dir] { run_panel_->set_checkpoint(dir); });
    box->setModal(false);
    box->show();
    emit graft_done();
  });
  connect(runner_, &ModelRunner::failed, this, [this](const QString& message) {
    busy_ = false;
    run_panel_->set_busy(false);
    show_error(message);
    emit run_failed(message);
  });
  connect(runner_, &ModelRunner::cancelled, this, [this] {
    busy_ = false;
    run_panel_->set_busy(false);
    run_panel_->set_status(tr("Cancelled."));
    emit run_failed(tr("cancelled"));
  });
  connect(run_panel_, &RunPanel::run_requested, this, [this] {
    // The run before stays in Edit > Undo with its ablations; only a sweep or patching is dropped.
    if (!results_modified_ ||
        confirm_discard(tr("Running again drops this run's sweep and patching results, which are not saved "
                           "(its ablations stay in Edit \u2192 Undo).")))
      start_run();
  });
  connect(run_panel_, &RunPanel::cancel_requested, this, &MainWindow::cancel_run);
  connect(grid_, &widgets::HeadGrid::head_opened, this, &MainWindow::open_head);
  connect(grid_, &widgets::HeadGrid::ablation_toggled, this, &MainWindow::toggle_ablation);
  connect(heatmap_, &widgets::HeatmapView::cell_hovered, this, [this](int row, int col, double) {
    statusBar()->showMessage(heatmap_->cell_text(row, col));
  });
}

MainWindow::~MainWindow() {
  runner_->cancel();
  worker_.quit();
  worker_.wait();
}

void MainWindow::build_menus() {
  auto* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open Session…"), QKeySequence::Open, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open session"), {}, tr("AttnScope sessions (*.h5)"));
    if (!path.isEmpty() &&
        confirm_discard(tr("Opening another session replaces this one, whose ablations and results are not saved.")))
      open_session(path);
  });
  file->addAction(tr("Open &Checkpoint Folder…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O), this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Checkpoint folder"));
    if (!dir.isEmpty()) run_panel_->set_checkpoint(dir);
  });
  file->addAction(tr("&Save Session As…"), QKeySequence::Save, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save session"), "session.h5", tr("AttnScope sessions (*.h5)"));
    if (!path.isEmpty()) save_session(path);
  });
  file->addSeparator();
  file->addAction(tr("&Export Figure…"), QKeySequence(Qt::CTRL | Qt::Key_E), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export figure"), "figure.pdf",
                                                      tr("PDF (*.pdf);;SVG (*.svg);;PNG (*.png)"));
    if (path.isEmpty()) return;
    const auto choice = ask_figure_choice(this, current_panels(),
                                          [this, path](const FigureChoice& c) { return export_command_for(c, path); });
    if (!choice) return;
    const QString error = export_current(path, *choice);
    if (!error.isEmpty()) show_error(error);
    else run_panel_->set_status(tr("Exported %1.").arg(path));
  });
  file->addAction(tr("Export &Grid…"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E), this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export head grid"), "grid.pdf",
                                                      tr("PDF (*.pdf);;SVG (*.svg);;PNG (*.png)"));
    if (!path.isEmpty()) {
      const auto choice = ask_figure_choice(this, 1);
      if (!choice) return;
      const QString error =
          write_figure(path, [&](const QString& temp) { return widgets::export_widget(grid_, temp, choice->size); });
      if (!error.isEmpty()) show_error(error);
    }
  });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  auto* edit = menuBar()->addMenu(tr("&Edit"));
  undo_action_ = edit->addAction(tr("&Undo"), QKeySequence::Undo, this, [this] { exploration_.undo(); });
  redo_action_ = edit->addAction(tr("&Redo"), QKeySequence::Redo, this, [this] { exploration_.redo(); });
  undo_action_->setEnabled(false);
  redo_action_->setEnabled(false);
  edit->addSeparator();
  auto* modes = new QActionGroup(this);
  for (const QString& mode : {QString("zero"), QString("mean"), QString("uniform")}) {
    auto* a = edit->addAction(tr("Ablate by %1").arg(mode));
    a->setCheckable(true);
    a->setChecked(mode == "zero");
    modes->addAction(a);
    mode_actions_[mode] = a;
    connect(a, &QAction::triggered, this, [this, mode] { choose_ablation_mode(mode); });
  }

  auto* analysis = menuBar()->addMenu(tr("&Analysis"));
  auto* sweep = analysis->addAction(tr("&Sweep Heads (Ablate Each Alone)"));
  sweep->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_A));
  sweep->setToolTip(tr("Ablate every head alone on this prompt and colour the grid by the change in log p of the "
                       "answer (Ctrl+Shift+A)"));
  sweep->setIconText(tr("Sweep heads"));
  connect(sweep, &QAction::triggered, this, &MainWindow::start_sweep);
  auto* patch = analysis->addAction(tr("&Patch Heads from a Corrupted Prompt…"));
  patch->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P));
  patch->setIconText(tr("Patch heads…"));
  patch->setToolTip(tr("Copy each head's output from this run into a corrupted prompt's run and colour the grid by "
                       "how much of the answer it brings back (Ctrl+Shift+P)"));
  connect(patch, &QAction::triggered, this, [this] {
    if (busy_) return show_error(tr("Wait for the current run to finish (or cancel it) before patching."));
    if (!session_ || !live_) return show_error(tr("Run the model first: patching re-runs it on the clean and corrupted prompts."));
    if (auto corrupted = ask_corrupted_prompt(this, QString::fromStdString(session_->prompt().text))) start_patch(*corrupted);
  });
  auto* along = analysis->addAction(tr("Patch Shown Head &Along Positions"));
  along->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_L));
  along->setToolTip(tr("Which positions carry the shown head's information: patch it at one position at a time, with "
                       "the last patching's corrupted prompt (Ctrl+Shift+L)"));
  connect(along, &QAction::triggered, this, &MainWindow::start_position_patch);
  auto* graft = analysis->addAction(tr("&Replace Shown Head with Attention…"));
  graft->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_G));
  graft->setToolTip(tr("Train a copy of the model whose shown Mamba-2 head is a softmax attention head, every other "
                       "weight frozen: does attention there restore retrieval? (Ctrl+Shift+G)"));
  connect(graft, &QAction::triggered, this, [this] {
    if (busy_) return show_error(tr("Wait for the current run to finish (or cancel it) before training."));
    if (!session_ || !live_) return show_error(tr("Run the model first: head replacement starts from the loaded checkpoint."));
    if (row_ < 0 || head_ < 0) return show_error(tr("Open a head first: the shown head is the one replaced."));
    const auto& mixer = session_->mixer(row_);
    const std::string kind = session::head_kind(mixer, head_);
    if (kind != "mamba2_ssd")
      return show_error(tr("Head %1.%2 is %3: only a head of a Mamba-2 layer that is still a Mamba-2 head can be replaced "
                           "by attention.")
                            .arg(mixer.layer)
                            .arg(head_)
                            .arg(QString::fromStdString(kind)));
    if (auto request = ask_graft(this, run_panel_->checkpoint(), mixer.layer, head_)) start_graft(*request);
  });
  analysis->addSeparator();
  for (const auto& [what, label] : {std::pair{QString("sweep"), tr("Export Sweep as &CSV…")},
                                    std::pair{QString("patch"), tr("Export Patching as C&SV…")}}) {
    analysis->addAction(label, this, [this, what = what] {
      const QString path = QFileDialog::getSaveFileName(this, tr("Export as CSV"), what + ".csv", tr("CSV (*.csv)"));
      if (path.isEmpty()) return;
      const QString error = export_results_csv(path, what);
      if (error.isEmpty()) run_panel_->set_status(tr("Wrote %1.").arg(path));
      else show_error(error);
    });
  }
  auto* tools = addToolBar(tr("Analysis"));
  tools->setObjectName("analysis_toolbar");
  tools->addAction(sweep);
  tools->addAction(patch);

  auto* view = menuBar()->addMenu(tr("&View"));
  log_action_ = view->addAction(tr("&Log Scale"));
  log_action_->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
  log_action_->setCheckable(true);
  connect(log_action_, &QAction::toggled, this, [this](bool on) {
    for (auto* v : {heatmap_, before_, after_, compare_left_, compare_right_})
      v->set_scale(on ? widgets::ScaleKind::Log : widgets::ScaleKind::Linear);
  });
  // Honest display of maps whose weights span orders of magnitude or signs (docs/user-guide.md).
  const struct {
    QString label;
    QKeySequence keys;
    std::function<void(widgets::DisplayOptions&, bool)> set;
  } display_options[] = {
      {tr("&Normalise Rows"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R),
       [](widgets::DisplayOptions& o, bool on) { o.row_normalise = on; }},
      {tr("Clip Colours at the 99th &Percentile"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C),
       [](widgets::DisplayOptions& o, bool on) { o.clip_percentile = on ? 99 : 100; }},
      {tr("Hide the &Diagonal"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D),
       [](widgets::DisplayOptions& o, bool on) { o.hide_diagonal = on; }},
  };
  for (const auto& option : display_options) {
    auto* a = view->addAction(option.label);
    a->setShortcut(option.keys);
    a->setCheckable(true);
    connect(a, &QAction::toggled, this, [this, set = option.set](bool on) {
      auto options = display_;
      set(options, on);
      set_display(options);
    });
  }
  auto* maps = view->addMenu(tr("&Colour Map"));
  auto* map_group = new QActionGroup(this);
  for (auto kind : widgets::ColourMap::all()) {
    if (kind == widgets::ColourMapKind::Diverging) continue;
    auto* a = maps->addAction(widgets::ColourMap(kind).name());
    a->setCheckable(true);
    a->setChecked(kind == widgets::ColourMapKind::Viridis);
    map_group->addAction(a);
    connect(a, &QAction::triggered, this, [this, kind] {
      for (auto* v : {heatmap_, before_, after_, compare_left_, compare_right_}) v->set_colour_map(kind);
    });
  }
  auto* shows = view->addMenu(tr("&Grid Shows"));
  auto* shows_group = new QActionGroup(this);
  const std::pair<QString, QString> grid_views[] = {{"maps", tr("&Maps")},
                                                     {"delta", tr("Sweep: Change in &log p(target)")},
                                                     {"kl", tr("Sweep: &KL of the Next Token")},
                                                     {"patch", tr("&Patching: Recovered Fraction")}};
  int key = 0;
  for (const auto& [what, label] : grid_views) {
    auto* a = shows->addAction(label);
    a->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | (Qt::Key_1 + key++)));
    a->setCheckable(true);
    a->setChecked(what == "maps");
    a->setEnabled(what == "maps");  // the sweep's views once there is a sweep
    shows_group->addAction(a);
    grid_actions_[what] = a;
    connect(a, &QAction::triggered, this, [this, what = what] { set_grid_shows(what); });
  }
  view->addAction(tr("&Reset Zoom"), QKeySequence(Qt::CTRL | Qt::Key_0), this, [this] { heatmap_->reset_zoom(); });
  view->addAction(tr("&Pin Head for Compare"), QKeySequence(Qt::CTRL | Qt::Key_P), this, &MainWindow::pin_for_compare);
  view->addAction(tr("&Unpin Compare"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_U), this, &MainWindow::unpin_compare);

  auto* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&Quick Tour"), QKeySequence::HelpContents, this, [this] { QuickTour(this).exec(); });
  help->addAction(tr("&About AttnScope"), this, [this] {
    QMessageBox::about(this, tr("About AttnScope"), about_text());
  });
}

QString MainWindow::about_text() const {
  const RuntimeVersions v = runtime_versions();
  return tr("<h3>AttnScope %1</h3>"
            "<p>Token-mixing matrices of Transformers and SSMs: find the heads that carry in-context retrieval "
            "and prove it by ablation.</p>"
            "<table><tr><td>Qt</td><td>%2</td></tr><tr><td>QCustomPlot</td><td>%3</td></tr>"
            "<tr><td>LibTorch</td><td>%4</td></tr><tr><td>HDF5</td><td>%5</td></tr>"
            "<tr><td>Device</td><td>%6</td></tr></table>")
      .arg(ATTNSCOPE_VERSION, qVersion(), QCUSTOMPLOT_VERSION_STR, QString::fromStdString(v.libtorch),
           QString::fromStdString(v.hdf5), QString::fromStdString(v.device));
}

void MainWindow::set_demos(const QStringList& folders, const QString& prompt) {
  run_panel_->set_demos(folders);
  if (!folders.isEmpty() && run_panel_->checkpoint().isEmpty()) run_panel_->set_checkpoint(folders.first());
  if (run_panel_->prompt().isEmpty()) run_panel_->set_prompt(prompt);
}

void MainWindow::show_error(const QString& message) {
  run_panel_->set_status(message, true);
  statusBar()->showMessage(message, 10000);
}

bool MainWindow::open_session(const QString& path) {
  if (busy_) {
    show_error(tr("Wait for the current run to finish (or cancel it) before opening a session."));
    return false;
  }
  // Nothing of the current state may leak into the new session's views.
  const bool was_live = live_;
  live_ = false;
  if (!show_session(path)) {
    live_ = was_live;
    return false;
  }
  ablations_.clear();
  shown_run_ = path;
  ablations_.load_saved(*session_, path.toStdString());
  load_saved_sweep();
  results_modified_ = false;
  // What was on show when it was saved: its ablation, mode and target, with no history.
  exploration_.reset(session::exploration_of(*session_));
  restore_run_panel();
  return true;
}

void MainWindow::update_token_text() {
  const int row = heatmap_->selected_row();
  if (row < 0 || !heatmap_->has_map()) return token_text_->set_weights(-1, {});
  token_text_->set_weights(row, heatmap_->row_values(row));
  const QRect query = token_text_->token_rect(row);
  text_scroll_->ensureVisible(query.center().x(), query.center().y(), 10, 30);
}

void MainWindow::restore_run_panel() {
  // The run panel shows what the session ran, so Run re-runs it rather than
  // whatever the panel held before.
  run_panel_->set_prompt(QString::fromStdString(session_->prompt().text));
  const QString source = QString::fromStdString(session_->model().source);
  const QString beside = QFileInfo(QString::fromStdString(session_->path().string())).dir().filePath(source);
  const QString found = source.isEmpty()               ? QString()
                        : QFileInfo(source).isDir() ? source
                        : QFileInfo(beside).isDir() ? beside
                                                    : QString();
  run_panel_->set_checkpoint(found);
  if (found.isEmpty()) run_panel_->offer_to_locate(source);
  if (found.isEmpty())
    run_panel_->set_status(tr("Opened %1. Its model (%2) is not on this machine: everything saved shows without it; "
                              "to run or ablate further, locate it (the button above, or File \u2192 Open Checkpoint Folder\u2026)")
                               .arg(QFileInfo(QString::fromStdString(session_->path().string())).fileName(), source));
}

bool MainWindow::confirm_discard(const QString& message) {
  if (!has_unsaved_changes() || !session_) return true;
  QMessageBox box(QMessageBox::Question, tr("Unsaved changes"),
                  message,
                  QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
  box.setObjectName("unsaved_changes");
  box.setDefaultButton(QMessageBox::Save);
  const int answer = box.exec();
  if (answer == QMessageBox::Discard) return true;
  if (answer != QMessageBox::Save) return false;
  const QString path = QFileDialog::getSaveFileName(this, tr("Save session"), "session.h5", tr("AttnScope sessions (*.h5)"));
  return !path.isEmpty() && save_session(path);
}

QString MainWindow::export_results_csv(const QString& path, const QString& what) const {
  if (!session_) return tr("Nothing to export yet.");
  QStringList labels;
  for (size_t r = 0; r < session_->model().mixers.size(); ++r) labels << QString::fromStdString(session_->model().row_label(r));
  if (what == "sweep") return sweep_ ? write_sweep_csv(path, *sweep_, labels) : tr("No sweep yet: Analysis → Sweep Heads.");
  if (what == "patch") return patch_ ? write_patch_csv(path, *patch_, labels) : tr("No patching yet: Analysis → Patch Heads.");
  return tr("unknown result '%1'").arg(what);
}

bool MainWindow::claim_live_run(const QString& doing, const QString& needs) {
  if (busy_) {
    show_error(tr("Wait for the current run to finish (or cancel it) before %1.").arg(doing));
    return false;
  }
  if (!session_ || !live_) {
    show_error(tr("Run the model first: %1.").arg(needs));
    return false;
  }
  busy_ = true;
  run_panel_->set_busy(true);
  return true;
}

void MainWindow::start_sweep() {
  if (!claim_live_run(tr("sweeping"), tr("a sweep ablates every head of a live run"))) return;
  SweepRequest request;
  request.mode = ablation_mode();
  request.target = target();
  QMetaObject::invokeMethod(runner_, "sweep", Qt::QueuedConnection, Q_ARG(attnscope::gui::SweepRequest, request));
}

void MainWindow::start_patch(const QString& corrupted_prompt) {
  if (!claim_live_run(tr("patching"), tr("patching re-runs it on the clean and corrupted prompts"))) return;
  PatchRequest request;
  request.corrupted_prompt = corrupted_prompt;
  request.target = target();
  QMetaObject::invokeMethod(runner_, "patch", Qt::QueuedConnection, Q_ARG(attnscope::gui::PatchRequest, request));
}

void MainWindow::start_position_patch() {
  if (!patch_) return show_error(tr("Patch the heads first (Analysis → Patch Heads…): positions use its corrupted prompt."));
  if (row_ < 0 || head_ < 0) return show_error(tr("Open a head first."));
  if (!claim_live_run(tr("patching"), tr("patching re-runs it on the clean and corrupted prompts"))) return;
  const HeadRef head = head_ref(row_, head_);
  PatchRequest request;
  request.corrupted_prompt = patch_->corrupted_prompt;
  request.layer = head.layer;
  request.head = head.head;
  request.mixer = head.mixer;
  request.target = target();
  QMetaObject::invokeMethod(runner_, "patch", Qt::QueuedConnection, Q_ARG(attnscope::gui::PatchRequest, request));
}

void MainWindow::start_graft(const GraftRequest& request) {
  if (!claim_live_run(tr("training"), tr("head replacement starts from the loaded checkpoint"))) return;
  QMetaObject::invokeMethod(runner_, "graft", Qt::QueuedConnection, Q_ARG(attnscope::gui::GraftRequest, request));
}

void MainWindow::enable_grid_views() {
  for (auto it = grid_actions_.begin(); it != grid_actions_.end(); ++it)
    it.value()->setEnabled(it.key() == "maps" || (it.key() == "patch" ? patch_.has_value() : sweep_.has_value()));
}

void MainWindow::show_sweep(const SweepOutcome& outcome) {
  sweep_ = outcome;
  enable_grid_views();
  set_grid_shows("delta");
}

void MainWindow::show_patch(const PatchOutcome& outcome) {
  patch_ = outcome;
  enable_grid_views();
  set_grid_shows("patch");
}

bool MainWindow::set_grid_shows(const QString& what) {
  if (what != "maps" && what != "delta" && what != "kl" && what != "patch") return false;
  if ((what == "delta" || what == "kl") && !sweep_) return false;
  if (what == "patch" && !patch_) return false;
  grid_shows_ = what;
  if (auto* a = grid_actions_.value(what)) a->setChecked(true);
  if (what == "maps") {
    grid_->show_values(false);
    return true;
  }
  if (what == "patch") {
    double largest = 1;  // full blue at 100%, or above it where a head overshoots
    for (const auto& row : patch_->recovered)
      for (double v : row)
        if (!std::isnan(v)) largest = std::max(largest, v);
    widgets::ValueScale scale;
    scale.caption = tr("recovered fraction of logit(%1) − logit(%2), clean head patched into the corrupted run")
                        .arg(patch_->target_token, patch_->foil_token);
    scale.unit = tr("(1 = the clean run's)");
    scale.extreme = largest;
    scale.full = QColor(33, 102, 172);
    grid_->set_values(patch_->recovered, scale);
    return true;
  }
  const auto& values = what == "delta" ? sweep_->delta_logprob : sweep_->kl;
  double extreme = 0;
  for (const auto& row : values)
    for (double v : row)
      if (!std::isnan(v)) extreme = what == "delta" ? std::min(extreme, v) : std::max(extreme, v);
  widgets::ValueScale scale;
  // Red where the answer suffers (white at no change; increases stay white), purple for KL: as the CLI's figure.
  if (what == "delta") {
    scale.caption = tr("change in log p(%1) with the head %2-ablated alone").arg(sweep_->target_token, sweep_->mode);
    scale.unit = tr("nats");
    scale.extreme = std::min(extreme, -1e-9);
    scale.full = QColor(178, 24, 43);
  } else {
    scale.caption = tr("KL of the next-token distribution, head %1-ablated alone").arg(sweep_->mode);
    scale.unit = tr("nats");
    scale.extreme = std::max(extreme, 1e-9);
    scale.full = QColor(84, 39, 143);
  }
  grid_->set_values(values, scale);
  return true;
}

// A saved session's sweep (metrics sweep_delta_logprob and sweep_kl) shows without the model.
void MainWindow::load_saved_sweep() {
  sweep_.reset();
  patch_.reset();
  position_patch_.reset();
  set_grid_shows("maps");
  enable_grid_views();
  const auto names = session_->metric_names();
  const auto has = [&names](const char* name) { return std::count(names.begin(), names.end(), name) > 0; };
  auto as_rows = [](const session::MetricRecord& m) {
    QVector<QVector<double>> rows(m.rows, QVector<double>(m.max_heads, qQNaN()));
    for (int r = 0; r < m.rows; ++r)
      for (int h = 0; h < m.max_heads; ++h) rows[r][h] = m.values[static_cast<size_t>(r) * m.max_heads + h];
    return rows;
  };
  if (has("patch_recovered")) {
    // "target <t>, foil <f>, logit difference clean <c>, corrupted <k>\ncorrupted prompt:\n<text>"
    const auto metric = session_->metric("patch_recovered");
    const QString d = QString::fromStdString(metric.description);
    PatchOutcome outcome;
    outcome.recovered = as_rows(metric);
    // Tokens are read between the fixed words around them (a token may be ",").
    const QString head = d.section('\n', 0, 0);
    const int foil_at = head.indexOf(", foil "), numbers_at = head.lastIndexOf(", logit difference clean ");
    outcome.target_token = head.mid(7, foil_at - 7);
    outcome.foil_token = head.mid(foil_at + 7, numbers_at - foil_at - 7);
    const QString numbers = head.mid(numbers_at + 25);  // "<clean>, corrupted <corrupted>"
    outcome.clean_logit_diff = numbers.section(", corrupted ", 0, 0).toDouble();
    outcome.corrupted_logit_diff = numbers.section(", corrupted ", 1, 1).toDouble();
    outcome.corrupted_prompt = d.section("corrupted prompt:\n", 1, -1);
    show_patch(outcome);
  }
  if (!has("sweep_delta_logprob") || !has("sweep_kl")) return;
  SweepOutcome outcome;
  const auto delta = session_->metric("sweep_delta_logprob");
  outcome.delta_logprob = as_rows(delta);
  outcome.kl = as_rows(session_->metric("sweep_kl"));
  // "target <token> (id N), <mode> ablation, log p <x> intact"
  const QString d = QString::fromStdString(delta.description);
  // Read from the right: the token (first) may hold ", " or " (id ".
  const int tail = d.lastIndexOf(" ablation, log p ");
  const QString lead = d.left(tail);  // "target <token> (id N), <mode>"
  const int mode_at = lead.lastIndexOf(", "), id_at = lead.lastIndexOf(" (id ");
  outcome.mode = lead.mid(mode_at + 2);
  outcome.target = lead.mid(id_at + 5, mode_at - 1 - id_at - 5).toLongLong();
  outcome.target_token = lead.mid(7, id_at - 7);
  outcome.intact_logprob = d.mid(tail + 17).section(' ', 0, 0).toDouble();
  show_sweep(outcome);
}

void MainWindow::choose_ablation_mode(const QString& mode) {
  if (mode == ablation_mode() || !mode_actions_.contains(mode)) return;
  if (!exploration_.state().ablated.empty() && (!live_ || !runner_->has_model())) {
    if (auto* a = mode_actions_.value(ablation_mode())) a->setChecked(true);
    return show_error(tr("%1 to ablate by %2.").arg(not_live_reason(), mode));
  }
  exploration_.set_mode(mode.toStdString());
}

void MainWindow::set_log_scale(bool on) { log_action_->setChecked(on); }

bool MainWindow::show_session(const QString& path) {
  try {
    auto reader = session::open_session_checked(path.toStdString());
    auto rows = grid_rows(*reader);
    session_ = std::move(reader);
    // The previous session's head leaves the view (a long one stops being computed).
    heatmap_->set_data({});
    row_ = head_ = -1;
    saved_path_.clear();
    grid_->set_rows(rows);
    token_text_->set_tokens(token_labels(*session_));
    ablation_ = nullptr;  // the caller resets the exploration, which shows the outputs
    session_label_->setText(QString("%1 · %2 tokens · %3")
                                .arg(QString::fromStdString(session_->model().family))
                                .arg(session_->length())
                                .arg(QFileInfo(path).fileName()));
    setWindowTitle(QString("AttnScope — %1").arg(QFileInfo(path).fileName()));
    if (!session_->prompt().text.empty() && run_panel_->prompt().isEmpty())
      run_panel_->set_prompt(QString::fromStdString(session_->prompt().text));
    const auto rows_with_maps = session_->rows_with_maps();
    if (!rows_with_maps.empty()) open_head(rows_with_maps.back(), 0);
    return true;
  } catch (const std::exception& e) {
    show_error(QString::fromStdString(e.what()));
    return false;
  }
}

HeadRef MainWindow::head_ref(int row, int head) const {
  const auto& mixer = session_->mixer(row);
  // The mixer is named only where the layer has several (the --ablate syntax).
  const bool named = session_->model().mixers_in_layer(mixer.layer) > 1;
  return {mixer.layer, head, named ? QString::fromStdString(mixer.name) : QString()};
}

int MainWindow::row_of_label(const QString& label) const {
  if (!session_) return -1;
  const auto& model = session_->model();
  for (size_t row = 0; row < model.mixers.size(); ++row)
    if (QString::fromStdString(model.row_label(row)) == label) return static_cast<int>(row);
  return -1;
}

QString MainWindow::current_row_label() const {
  return session_ && row_ >= 0 ? QString::fromStdString(session_->model().row_label(row_)) : QString();
}

void MainWindow::open_head(int row, int head) {
  if (!session_ || !session_->has_maps(row) || head < 0 || head >= session_->mixer(row).heads) return;
  row_ = row, head_ = head;
  if (grid_->current() != QPoint(head, row)) grid_->set_current(row, head);
  const auto& mixer = session_->mixer(row);
  const QString title = tr("layer %1, head %2 (%3)")
                            .arg(QString::fromStdString(session_->model().row_label(row)))
                            .arg(head)
                            .arg(QString::fromStdString(session::head_kind(mixer, head)));
  try {
    std::optional<session::FactorHead> recipe;
    if (session_->length() >= kTiledFrom) recipe = session_->factor_head(row, head, false);
    if (!recipe) return show_head(row, head, title, session_->read_head(row, head));
    widgets::HeatmapData meta = head_data(*session_, {}, title);
    if (session_->overview_size(row) > 0) meta.overview = session_->read_overview(row, head);  // the first paint
    heatmap_->set_source(std::move(meta), std::make_shared<FactorMapSource>(std::move(*recipe)));
  } catch (const std::exception& e) {
    return show_error(QString::fromStdString(e.what()));
  }
  // The first image comes off the window's thread; the window stays usable meanwhile.
  statusBar()->showMessage(tr("Computing layer %1, head %2 (%3 × %3) from the session's factors…")
                               .arg(QString::fromStdString(session_->model().row_label(row)))
                               .arg(head)
                               .arg(session_->length()));
}

bool MainWindow::head_pending() const { return heatmap_->tiled() && !heatmap_->image_ready(); }

void MainWindow::show_head(int row, int head, const QString& title, std::vector<float> map) {
  if (!session_ || row != row_ || head != head_) return;
  const auto sharp = sharp_marks(map, session_->length());
  heatmap_->set_data(head_data(*session_, std::move(map), title));
  heatmap_->set_marks(sharp);
  head_on_show();
  emit head_shown();
}

void MainWindow::head_on_show() {
  update_token_text();
  if (!compare_left_->data().values.empty()) {
    compare_right_->set_data(compare_data());
    share_compare_scale();
  }
  update_diff();
  if (!exploration_.state().ablated.empty()) apply_ablation_set();  // capture this mixer of the ablated run for the diff
}

void MainWindow::start_run() {
  if (busy_) return;
  const QString checkpoint = run_panel_->checkpoint();
  if (checkpoint.isEmpty()) return show_error(tr("Choose a checkpoint folder first."));
  if (run_panel_->prompt().isEmpty()) return show_error(tr("Type a prompt first."));
  RunRequest request;
  request.checkpoint = checkpoint;
  request.prompt = run_panel_->prompt();
  request.device = run_panel_->device();
  // A new file per run: the previous session stays readable until the switch.
  request.session_path = temp_dir_->filePath(QString("run-%1.h5").arg(++run_counter_));
  busy_ = true;
  run_panel_->set_busy(true);
  run_panel_->set_status(tr("Running…"));
  QMetaObject::invokeMethod(runner_, [r = runner_, request] { r->run(request); }, Qt::QueuedConnection);
}

void MainWindow::cancel_run() { runner_->cancel(); }

// As format_ablation_list writes it, so it matches the runner's spec.
QString MainWindow::ablation_key() const { return QString::fromStdString(session::ablation_spec(exploration_.state())); }

session::HeadKey MainWindow::head_key(int row, int head) const {
  const HeadRef h = head_ref(row, head);
  return {h.layer, h.head, h.mixer.toStdString()};
}

QString MainWindow::not_live_reason() const {
  // A run of this window kept in the undo history, or a session opened from its file.
  if (!shown_run_.isEmpty() && shown_run_.startsWith(temp_dir_->path()))
    return tr("This is an earlier run (Edit \u2192 Redo returns to the last one): run it again (Run)");
  return tr("This session was opened from a file: run its model (Run)");
}

void MainWindow::forget_results() {
  results_modified_ = false;
  sweep_.reset();
  patch_.reset();
  position_patch_.reset();
  set_grid_shows("maps");
  enable_grid_views();
}

void MainWindow::show_run(const QString& path) {
  // Undo or redo across a run: that run's session, its cached ablations, and
  // the model only when it is the runner's own last run.
  forget_results();
  if (!show_session(path)) return;
  shown_run_ = path;
  live_ = path == live_run_ && runner_->has_model();
  restore_run_panel();
  if (!live_) run_panel_->set_status(tr("An earlier run: its ablations show from the cache; Run it again to ablate further."));
}

void MainWindow::on_exploration_changed() {
  const auto& state = exploration_.state();
  const QString run = QString::fromStdString(state.run);
  if (!run.isEmpty() && run != shown_run_) show_run(run);
  if (auto* a = mode_actions_.value(ablation_mode())) a->setChecked(true);
  undo_action_->setEnabled(exploration_.can_undo());
  redo_action_->setEnabled(exploration_.can_redo());
  undo_action_->setText(exploration_.can_undo() ? tr("&Undo %1").arg(QString::fromStdString(exploration_.undo_text())) : tr("&Undo"));
  redo_action_->setText(exploration_.can_redo() ? tr("&Redo %1").arg(QString::fromStdString(exploration_.redo_text())) : tr("&Redo"));
  outputs_->target_field()->setText(token_text(state.target));
  if (!session_) return;
  apply_ablation_set();  // grid marks, and the ablated run (cached, or run again)
  refresh_outputs();
}

void MainWindow::toggle_ablation(int row, int head) {
  if (!session_) return show_error(tr("Run a model or open a session first."));
  if (!runner_->has_model() || !live_)
    return show_error(tr("%1 to ablate heads.").arg(not_live_reason()));
  if (row < 0 || row >= static_cast<int>(session_->model().mixers.size()) || head < 0 ||
      head >= session_->mixer(row).heads)
    return show_error(tr("No head %1 in row %2.").arg(head).arg(row));
  exploration_.toggle_ablation(head_key(row, head));
}

void MainWindow::apply_ablation_set() {
  for (int row = 0; row < grid_->row_count(); ++row)
    for (int h = 0; h < grid_->head_count(row); ++h)
      grid_->set_ablated(row, h, exploration_.state().ablated.count(head_key(row, h)) > 0);
  if (exploration_.state().ablated.empty()) return show_ablation(nullptr);
  const std::string key = ablation_key().toStdString();
  // A saved session or an earlier run: its recorded result, even without this mixer's maps.
  if (auto cached = ablations_.find(shown_run_.toStdString(), key, row_, !live_); cached || !live_)
    return show_ablation(cached);
  if (busy_) return;  // the finished run re-checks the current set
  AblationRequest request;
  for (const auto& h : exploration_.state().ablated) request.heads.append({h.layer, h.head, QString::fromStdString(h.mixer)});
  request.mode = ablation_mode();
  if (row_ >= 0) {
    request.capture_layer = session_->mixer(row_).layer;
    request.capture_mixer = QString::fromStdString(session_->mixer(row_).name);
    request.capture_row = row_;
  }
  busy_ = true;
  run_panel_->set_busy(true);
  QMetaObject::invokeMethod(runner_, [r = runner_, request] { r->ablate(request); }, Qt::QueuedConnection);
}

void MainWindow::show_ablation(const session::AblatedRunPtr& result) {
  ablation_ = result;
  refresh_outputs();
  update_diff();
  // The set may have changed while this run was going: run the current one.
  if (live_ && !busy_ && !exploration_.state().ablated.empty() && (!result || QString::fromStdString(result->spec()) != ablation_key()))
    apply_ablation_set();
}

QString MainWindow::token_text(qint64 id) const {
  if (session_) {
    for (const auto& t : session_->outputs().top)
      if (t.id == id) return QString::fromStdString(t.token);
    const auto& prompt = session_->prompt();
    for (size_t i = 0; i < prompt.ids.size() && i < prompt.tokens.size(); ++i)
      if (prompt.ids[i] == id) return QString::fromStdString(prompt.tokens[i]);
  }
  if (const auto text = ablations_.token_text(shown_run_.toStdString(), id)) return QString::fromStdString(*text);
  return typed_tokens_.value(id, "#" + QString::number(id));
}

void MainWindow::refresh_outputs() {
  if (!session_) return;
  const auto& out = session_->outputs();
  // The target's log p from the whole distribution; a session without final
  // logits (an older file) knows only its stored target's.
  const double unknown = std::numeric_limits<double>::quiet_NaN();
  const double intact = session::log_probability(out.final_logits, target()).value_or(target() == out.target ? out.target_logprob : unknown);
  outputs_->set_intact(bars(out.top), token_text(target()), intact, session::probabilities(out.final_logits));
  if (!ablation_) return outputs_->set_ablation(std::nullopt);
  widgets::AblationSummary s;
  s.spec = QString::fromStdString(ablation_->spec());
  for (const auto& t : ablation_->record.outputs.top) s.top.append({QString::fromStdString(t.token), t.prob, t.id});
  const std::vector<float>& logits = ablation_->record.outputs.final_logits;
  s.logprob_before = intact;
  s.logprob_after = session::log_probability(logits, target()).value_or(target() == ablation_->measured_target ? ablation_->logprob_after : unknown);
  s.probs = session::probabilities(logits);
  outputs_->set_ablation(s);
}

bool MainWindow::set_target(const QString& text) {
  if (!session_) {
    show_error(tr("Run a model or open a session before choosing a target."));
    return false;
  }
  const int64_t vocab = static_cast<int64_t>(session_->outputs().final_logits.size());
  qint64 id = -1;
  QString error;
  if (text.trimmed().startsWith('#')) {
    bool ok = false;
    id = text.trimmed().mid(1).toLongLong(&ok);
    if (vocab == 0 && ok && id != session_->outputs().target)
      error = tr("this session has no final logits (an older file): only its own target can be measured");
    else if (!ok || id < 0 || id >= vocab)
      error = tr("%1 is not a token id of this model (0 to %2)").arg(text.trimmed()).arg(vocab - 1);
  } else {
    // As the session shows tokens ('·' for a space), or as typed with spaces.
    QString shown = text;
    shown.replace(' ', QChar(0x00B7));
    for (const QString& candidate : {text, shown}) {
      for (const auto& t : session_->outputs().top)
        if (QString::fromStdString(t.token) == candidate) id = t.id;
      const auto& prompt = session_->prompt();
      for (size_t i = 0; id < 0 && i < prompt.ids.size() && i < prompt.tokens.size(); ++i)
        if (QString::fromStdString(prompt.tokens[i]) == candidate) id = prompt.ids[i];
      if (id >= 0) break;
    }
    // The tokenizer reads text: '·' is the display of a space, '↵' of a newline.
    QString raw = text;
    raw.replace(QChar(0x00B7), ' ').replace(QChar(0x21B5), '\n');
    if (id < 0 && live_ && !busy_ && runner_->has_model()) {
      QMetaObject::invokeMethod(runner_, [&] { id = runner_->token_id_of(raw, &error); }, Qt::BlockingQueuedConnection);
      if (id >= 0) typed_tokens_[id] = shown;
    } else if (id < 0 && busy_) {
      error = tr("'%1' is not among this session's tokens, and the model is busy: try again when it is done, or give #id")
                  .arg(text);
    } else if (id < 0) {
      error = tr("'%1' is not among this session's tokens, and the model is not loaded: give the target as #id").arg(text);
    }
  }
  if (id < 0 || !error.isEmpty()) {
    show_error(error);
    outputs_->target_field()->setText(token_text(target()));  // the field shows the target in force again
    return false;
  }
  if (id == target()) return true;
  exploration_.set_target(id);
  // Sweeps and patching already shown keep the target they name in their legend.
  run_panel_->set_status(tr("Target: '%1'. Ablations show its log p; sweeps and patching run from now on measure it.")
                             .arg(token_text(id)));
  return true;
}

void MainWindow::update_diff() {
  if (!session_ || row_ < 0) return;
  const int64_t L = session_->length();
  const float* p = ablation_ && ablation_->map_row == row_ ? ablation_->head_map(head_, static_cast<int>(L)) : nullptr;
  const bool have = p != nullptr;
  std::vector<float> before = heatmap_->data().values;
  const QString where = tr("layer %1, head %2").arg(current_row_label()).arg(head_);
  if (heatmap_->tiled()) {
    if (!heatmap_->image_ready()) return;  // head_on_show comes back here
    // A long map is made whole only beside an ablated run's map, which is held whole too.
    if (!have) {
      for (auto* v : {before_, after_, diff_}) v->set_fixed_range(std::nullopt);
      before_->set_data(head_data(*session_, {}, tr("%1: no ablation to compare (right-click a head to ablate it)").arg(where)));
      after_->set_data({});
      diff_->set_data({});
      return;
    }
    try {
      before = heatmap_->whole_map();
    } catch (const std::exception& e) {
      for (auto* v : {before_, after_, diff_}) v->set_data({});  // not the previous head's
      return show_error(QString::fromStdString(e.what()));
    }
  }
  if (before.size() != static_cast<size_t>(L * L)) return;  // the head is still being computed: show_head comes back here
  std::vector<float> after = before, diff(before.size(), 0.f);
  if (have) {
    after.assign(p, p + L * L);
    if (session_->maps_dtype(row_) == "float16") {
      // The intact map was stored in float16: round the re-captured one alike, or a head the
      // ablation cannot change shows rounding speckle at full colour (a reopened session shows 0).
      std::vector<uint16_t> half(after.size());
      session::floats_to_halves(after.data(), half.data(), half.size());
      session::halves_to_floats(half.data(), after.data(), half.size());
    }
    for (size_t k = 0; k < diff.size(); ++k) diff[k] = after[k] - before[k];
  }
  // The shared scale is this head's own: the last head's fixed range must not carry over.
  before_->set_fixed_range(std::nullopt);
  after_->set_fixed_range(std::nullopt);
  before_->set_data(head_data(*session_, before, tr("%1: intact").arg(where)));
  after_->set_data(head_data(*session_, after, have ? tr("ablated %1").arg(QString::fromStdString(ablation_->spec())) : tr("no ablation")));
  diff_->set_data(head_data(*session_, diff, tr("ablated − intact")));
  before_->set_marks(sharp_marks(before, L));
  after_->set_marks(sharp_marks(after, L));
  const auto r = before_->current_range();
  const widgets::ValueRange shared = widgets::united(r, after_->current_range());
  after_->set_fixed_range(shared);
  before_->set_fixed_range(shared);
}

widgets::HeatmapData MainWindow::compare_data() const {
  // Titled with the model: a comparison may span runs of different models.
  widgets::HeatmapData data = heatmap_->data();
  if (heatmap_->tiled()) {
    try {
      data.values = heatmap_->whole_map();
    } catch (const std::exception& e) {
      data.values.clear();  // the reason shows where the map would
      data.title += QString(" — %1").arg(QString::fromStdString(e.what()));
    }
  }
  if (session_)
    data.title = QString("%1 \u00b7 %2").arg(QFileInfo(QString::fromStdString(session_->model().source)).fileName(), data.title);
  return data;
}

void MainWindow::pin_for_compare() {
  if (!heatmap_->has_map() || !heatmap_->image_ready()) return;
  compare_left_->set_data(compare_data());  // pinning again replaces the pinned head
  compare_right_->set_data(compare_data());
  share_compare_scale();
}

void MainWindow::unpin_compare() {
  for (auto* v : {compare_left_, compare_right_}) {
    v->set_fixed_range(std::nullopt);
    v->set_data({});
  }
}

void MainWindow::share_compare_scale() {
  // One colour scale over both sides, from the ranges their display options give.
  for (auto* v : {compare_left_, compare_right_}) v->set_fixed_range(std::nullopt);
  const auto a = compare_left_->current_range(), b = compare_right_->current_range();
  const widgets::ValueRange shared = widgets::united(a, b);
  compare_left_->set_fixed_range(shared);
  compare_right_->set_fixed_range(shared);
}

bool MainWindow::save_session(const QString& path) {
  if (!session_) {
    show_error(tr("Nothing to save yet."));
    return false;
  }
  try {
    // The shown ablation goes last: reopening makes the last one active.
    const auto ablations = ablations_.to_save(shown_run_.toStdString(), ablation_);
    std::vector<session::MetricRecord> metrics;
    const auto table = [&](const char* name, const QVector<QVector<double>>& values, const QString& description) {
      session::MetricRecord metric;
      metric.name = name;
      metric.description = description.toStdString();
      metric.rows = static_cast<int>(session_->model().mixers.size());
      for (const auto& m : session_->model().mixers) metric.max_heads = std::max(metric.max_heads, m.heads);
      metric.values.assign(static_cast<size_t>(metric.rows) * metric.max_heads, NAN);
      for (int r = 0; r < values.size() && r < metric.rows; ++r)
        for (int h = 0; h < values[r].size() && h < metric.max_heads; ++h)
          metric.values[static_cast<size_t>(r) * metric.max_heads + h] = static_cast<float>(values[r][h]);
      metrics.push_back(std::move(metric));
    };
    if (patch_)
      table("patch_recovered", patch_->recovered,
            // One arg() call: a token such as "%3" must not take a later substitution.
            QString("target %1, foil %2, logit difference clean %3, corrupted %4\ncorrupted prompt:\n%5")
                .arg(patch_->target_token, patch_->foil_token, QString::number(patch_->clean_logit_diff, 'g', 9),
                     QString::number(patch_->corrupted_logit_diff, 'g', 9), patch_->corrupted_prompt));
    if (sweep_) {
      const QString description = QString("target %1 (id %2), %3 ablation, log p %4 intact")
                                      .arg(sweep_->target_token, QString::number(sweep_->target), sweep_->mode,
                                           QString::number(sweep_->intact_logprob, 'g', 9));
      table("sweep_delta_logprob", sweep_->delta_logprob, description);
      table("sweep_kl", sweep_->kl, description);
    }
    session::save_exploration(*session_, path.toStdString(), exploration_.state(), ablations, metrics);
    saved_path_ = path;
    exploration_.mark_saved();
    results_modified_ = false;
    run_panel_->set_status(tr("Saved %1.").arg(path));
    return true;
  } catch (const std::exception& e) {
    show_error(QString::fromStdString(e.what()));
    return false;
  }
}

int MainWindow::current_panels() const { return tabs_->currentIndex() == 1 ? 3 : tabs_->currentIndex() == 2 ? 2 : 1; }

void MainWindow::set_display(const widgets::DisplayOptions& options) {
  display_ = options;
  for (auto* v : {heatmap_, before_, after_, compare_left_, compare_right_}) v->set_display(options);
  update_diff();  // before and after share the range the new options give
  if (!compare_left_->data().values.empty()) share_compare_scale();
}

QString MainWindow::saved_session_path() const {
  if (!saved_path_.isEmpty()) return saved_path_;
  if (!session_) return {};
  const QString path = QString::fromStdString(session_->path().string());
  return path.startsWith(temp_dir_->path()) ? QString() : path;
}

std::optional<widgets::ColourMapKind> MainWindow::chosen_colour_map() const {
  // Viridis is the default (automatic) choice; a signed map drawn diverging keeps it automatic.
  const auto drawn = heatmap_->drawn_colour_map(), chosen = heatmap_->chosen_colour_map();
  if (chosen == widgets::ColourMapKind::Viridis || drawn != chosen) return std::nullopt;
  return chosen;
}

widgets::PaperFigure MainWindow::figure_of_tab(const FigureChoice& choice) const {
  const int length = session_ ? static_cast<int>(session_->length()) : 0;
  widgets::FigureStyle style;
  style.display = display_;
  style.scale = heatmap_->scale();
  style.marks = choice.marks;
  style.font_pt = choice.font_pt;
  // A zoomed figure takes its region's cells alone (a long head's from its
  // factors, not made whole); a whole figure the whole map.
  const widgets::HeatmapView* region_of = tabs_->currentIndex() == 1   ? before_
                                          : tabs_->currentIndex() == 2 ? compare_left_
                                                                       : heatmap_;
  const widgets::MapRegion region = choice.zoomed ? region_of->visible_region() : widgets::MapRegion{};
  const auto panel = [&](const widgets::HeatmapView* v, const QString& title, bool difference = false) {
    widgets::MapPanel p = choice.zoomed ? v->region_panel(region) : widgets::MapPanel{v->whole_map(), {}, false, {}, {}};
    p.title = title, p.difference = difference;
    if (choice.marks) p.marks = v->marks();
    return p;
  };
  QVector<widgets::MapPanel> panels;
  QString title;
  if (tabs_->currentIndex() == 1) {
    const QString spec = ablation_ ? QString::fromStdString(ablation_->spec()) : QString();
    title = heatmap_->data().title + (spec.isEmpty() ? QString() : tr(", ablated %1").arg(spec));
    panels = {panel(before_, tr("intact")), panel(after_, tr("ablated")), panel(diff_, tr("ablated \u2212 intact"), true)};
    panels[2].marks.clear();
  } else if (tabs_->currentIndex() == 2) {
    panels = {panel(compare_left_, compare_left_->data().title), panel(compare_right_, compare_right_->data().title)};
  } else {
    title = heatmap_->data().title;
    panels = {panel(heatmap_, QString())};
  }
  // A map the user chose; otherwise automatic (diverging when any panel is signed).
  style.colour_map = chosen_colour_map();
  return widgets::compose_figure(panels, length, heatmap_->data().row_labels, region, style, title);
}

QString MainWindow::export_command_for(const FigureChoice& choice, const QString& out) const {
  if (!session_ || row_ < 0 || tabs_->currentIndex() == 2) return {};
  HeadFigure f;
  if (tabs_->currentIndex() == 1) {
    // The saved file must hold this very ablation, with this row's maps, as the one on show.
    if (!ablation_ || saved_session_path().isEmpty() || exploration_.modified()) return {};
    try {
      const session::SessionReader saved(saved_session_path().toStdString());
      const int a = session::shown_ablation(saved);
      if (a < 0 || saved.ablations()[a].spec != ablation_->spec() || !session::ablated_row_readable(saved, a, row_)) return {};
    } catch (const std::exception&) {
      return {};
    }
    f.before_after = true;
  }
  const auto& mixer = session_->mixer(row_);
  f.session_path = saved_session_path();
  f.layer = mixer.layer;
  if (session_->model().mixers_in_layer(mixer.layer) > 1) f.mixer = QString::fromStdString(mixer.name);
  f.head = head_;
  f.length = static_cast<int>(session_->length());
  f.region = (f.before_after ? before_ : heatmap_)->visible_region();
  f.style.display = display_;
  f.style.scale = heatmap_->scale();
  f.colour_map = chosen_colour_map();
  return export_command_line(f, choice, out);
}

QString MainWindow::export_current(const QString& path, const FigureChoice& choice) {
  if (!session_ || !heatmap_->has_map()) return tr("Nothing to export yet: run a model or open a session.");
  if (tabs_->currentIndex() == 1 && !ablation_)
    return tr("No ablation on show: ablate a head (right-click it) before exporting before / after / diff.");
  if (tabs_->currentIndex() == 2 && compare_left_->data().values.empty())
    return tr("Nothing to compare yet: pin a head first (Ctrl+P).");
  if (tabs_->currentIndex() == 2 && compare_left_->data().row_labels != compare_right_->data().row_labels)
    return tr("The compared heads come from different prompts (%1 and %2 tokens): one figure needs one prompt; "
              "export each head on its own.")
        .arg(compare_left_->data().rows)
        .arg(compare_right_->data().rows);
  widgets::PaperFigure figure;
  try {
    figure = figure_of_tab(choice);
  } catch (const std::exception& e) {  // a bad region, or a long map that would not fit whole
    return QString::fromUtf8(e.what());
  }
  return write_figure(path, [&](const QString& temp) { return widgets::write_paper_figure(figure, temp, choice.size); });
}

void MainWindow::resizeEvent(QResizeEvent* event) {
  QMainWindow::resizeEvent(event);
  // Qt gives all new width to the centre: after a shrink the side panels
  // would stay squeezed. They take back their share (up to 400 and 300 px).
  if (event->size().width() <= event->oldSize().width()) return;
  for (const QDockWidget* dock : {run_dock_, outputs_dock_})
    if (dock->isFloating() || !dock->isVisible()) return;
  const int w = event->size().width();
  const int left = std::min(400, w * 27 / 100), right = std::min(300, w * 20 / 100);
  if (run_dock_->width() < left || outputs_dock_->width() < right)
    resizeDocks({run_dock_, outputs_dock_}, {std::max(left, run_dock_->width()), std::max(right, outputs_dock_->width())},
                Qt::Horizontal);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (!confirm_discard(tr("Quitting closes the session, whose ablations and results are not saved.")))
    return event->ignore();
  runner_->cancel();
  event->accept();
}

}  // namespace attnscope::gui
