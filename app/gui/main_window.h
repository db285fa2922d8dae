#pragma once
// The main window: a thin assembly of the run panel, head grid, heatmap,
// before/after/diff and compare views, and outputs panel. Model work runs on
// a worker thread (ModelRunner); views read the session file lazily.
#include <QMainWindow>
#include <QMap>
#include <QThread>
#include <memory>
#include <optional>

#include "app/gui/export_dialog.h"
#include "core/session/ablation_cache.h"
#include "core/session/exploration.h"
#include "app/gui/run_types.h"
#include "widgets/figure_export.h"
#include "widgets/heatmap_view.h"
#include "widgets/map_display.h"
#include "widgets/paper_figure.h"

class QTabWidget;
class QTemporaryDir;
class QLabel;
class QScrollArea;
class QDockWidget;

namespace attnscope::session {
class SessionReader;
}
namespace attnscope::widgets {
class HeadGrid;
class OutputsPanel;
class TokenTextView;
}  // namespace attnscope::widgets

namespace attnscope::gui {

class ModelRunner;
class RunPanel;

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  // Opens a saved session (no model needed). Returns false and shows the error.
  bool open_session(const QString& path);
  void start_run();
  void cancel_run();
  // Grid rows are the session's mixers (docs/architecture.md): a hybrid
  // layer with attention and an SSM has a row for each.
  void toggle_ablation(int row, int head);
  // Shows a head's map; a long prompt's map computed from its factors
  // arrives later (head_shown), computed off the window's thread.
  void open_head(int row, int head);
  // From this many tokens on, a head whose map the session computes from its
  // factors is drawn from them region by region (widgets::MapSource): the
  // window never holds or waits for the whole map (8192^2 floats are 256 MB).
  static constexpr int64_t kTiledFrom = 2048;
  // The head asked for is not on show yet (a long map's first image is being computed).
  bool head_pending() const;
  // The row a label names ("3", or "3.attn" when layer 3 has several mixers); -1 when none.
  int row_of_label(const QString& label) const;
  // Pins the shown head to the Compare tab's left (again: replaces it); the
  // right follows the shown head. Unpinning empties the tab.
  void pin_for_compare();
  void unpin_compare();
  // Ablates every head alone on the current prompt (live runs only); the
  // grid then shows the change in log p(target), with a legend.
  void start_sweep();
  // Activation patching with the shown run as the clean prompt: every head's
  // output patched alone into the corrupted prompt's run; the grid then
  // shows the recovered fraction of the logit difference ("patch").
  void start_patch(const QString& corrupted_prompt);
  const std::optional<PatchOutcome>& last_patch() const { return patch_; }
  // The shown head patched along the prompt, one position at a time, with the
  // last patching's corrupted prompt; the result opens in a table.
  void start_position_patch();
  const std::optional<PatchOutcome>& last_position_patch() const { return position_patch_; }
  // Head replacement of the shown Mamba-2 head (core/train/graft.h): trains
  // a new checkpoint from the loaded one; the window offers to open it.
  void start_graft(const GraftRequest& request);
  const std::optional<GraftOutcome>& last_graft() const { return graft_; }
  // The sweep ("sweep") or patching ("patch") result as the CLI's CSV; empty on success, else the error.
  QString export_results_csv(const QString& path, const QString& what) const;
  // What the grid shows: "maps" (thumbnails), "delta" (the sweep's change in
  // log p), "kl" (its KL) or "patch" (the recovered fraction); false when
  // there is no such result to show.
  bool set_grid_shows(const QString& what);
  QString grid_shows() const { return grid_shows_; }
  const std::optional<SweepOutcome>& last_sweep() const { return sweep_; }
  bool save_session(const QString& path);
  // Ablations or results not saved yet (quitting, running or opening asks first).
  bool has_unsaved_changes() const { return exploration_.modified() || results_modified_; }
  QString ablation_mode() const { return QString::fromStdString(exploration_.state().mode); }
  // zero, mean or uniform: an undoable command, and the ablated run again.
  void choose_ablation_mode(const QString& mode);
  void set_log_scale(bool on);
  // The token ablations, sweeps and patching measure: "·B" or " B" (a token
  // of the session or, with the model loaded, of its tokenizer) or "#id".
  // Undoable; false (with the reason in the status) when it names no token.
  bool set_target(const QString& text);
  qint64 target() const { return exploration_.state().target; }
  QString token_text(qint64 id) const;  // as the session shows it, else "#id"
  // True when nothing unsaved would be lost, or the user (asked with `message`) saved or discarded it.
  bool confirm_discard(const QString& message);
  // The tab on show as a paper figure (one head, before / after / diff, or the comparison).
  QString export_current(const QString& path, const FigureChoice& choice);
  int current_panels() const;
  // The CLI line that remakes the head tab's figure, empty for other tabs.
  QString export_command_for(const FigureChoice& choice, const QString& out) const;
  // Row normalisation, percentile clipping, hidden diagonal: every map view.
  void set_display(const widgets::DisplayOptions& options);
  const widgets::DisplayOptions& display() const { return display_; }
  // The session's file once saved or opened; empty for an unsaved live run.
  QString saved_session_path() const;
  QString about_text() const;  // Help > About: versions of Qt, QCustomPlot, LibTorch, HDF5 and the device
  QTabWidget* tabs() const { return tabs_; }
  void set_demos(const QStringList& folders, const QString& prompt);

  // What is being explored (ablated heads, mode, target) with its undo history.
  session::Exploration& exploration() { return exploration_; }
  RunPanel* run_panel() const { return run_panel_; }
  widgets::HeadGrid* grid() const { return grid_; }
  widgets::HeatmapView* heatmap() const { return heatmap_; }
  widgets::OutputsPanel* outputs() const { return outputs_; }
  widgets::HeatmapView* diff_view() const { return diff_; }
  widgets::HeatmapView* before_view() const { return before_; }
  widgets::HeatmapView* after_view() const { return after_; }
  widgets::TokenTextView* token_text() const { return token_text_; }
  QDockWidget* run_dock() const { return run_dock_; }
  QDockWidget* outputs_dock() const { return outputs_dock_; }
  widgets::HeatmapView* compare_left_view() const { return compare_left_; }
  widgets::HeatmapView* compare_right_view() const { return compare_right_; }
  bool busy() const { return busy_; }
  int current_row() const { return row_; }
  QString current_row_label() const;
  int current_head() const { return head_; }
  const session::SessionReader* session() const { return session_.get(); }
  // The ablated run on show (nullptr: none), from the model or the session's cache.
  const session::AblatedRunPtr& last_ablation() const { return ablation_; }

 signals:
  void run_done();
  void ablation_done();
  void sweep_done();
  void patch_done();
  void graft_done();
  void run_failed(const QString& message);
  void head_shown();  // the head open_head asked for is on screen

 protected:
  void closeEvent(QCloseEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  void build_menus();
  // Reopened: the run panel takes the session's checkpoint (when it is here) and prompt.
  void restore_run_panel();
  // The prompt text takes the weights of the heatmap's selected query row.
  void update_token_text();
  // The outputs panel against the current target (intact and the shown ablation).
  void refresh_outputs();
  // Every view follows the exploration: grid marks, the ablated run, outputs, undo texts.
  void on_exploration_changed();
  // Runs in the undo history: another run shows with its cached ablations
  // (ablations_ keeps every run's), and results (sweep, patching) are dropped.
  void show_run(const QString& path);
  void forget_results();
  // Why heads cannot be ablated now: an earlier run, or a session from a file.
  QString not_live_reason() const;
  session::HeadKey head_key(int row, int head) const;
  bool show_session(const QString& path);
  void load_saved_sweep();
  void show_sweep(const SweepOutcome& outcome);
  void show_patch(const PatchOutcome& outcome);
  void enable_grid_views();
  // Marks the window busy for work on the live run; false (with a message
  // naming what waits, `doing`, or what it `needs`) when it cannot start.
  bool claim_live_run(const QString& doing, const QString& needs);
  void apply_ablation_set();
  void show_ablation(const session::AblatedRunPtr& result);
  void update_diff();
  void show_head(int row, int head, const QString& title, std::vector<float> map);
  // What follows a head on show, held whole or tiled: its row's text, compare, diff.
  void head_on_show();
  void show_error(const QString& message);
  QString ablation_key() const;
  HeadRef head_ref(int row, int head) const;

  widgets::PaperFigure figure_of_tab(const FigureChoice& choice) const;
  widgets::HeatmapData compare_data() const;
  std::optional<widgets::ColourMapKind> chosen_colour_map() const;
  void share_compare_scale();

  QThread worker_;
  widgets::DisplayOptions display_;
  QString saved_path_;
  ModelRunner* runner_;
  std::unique_ptr<QTemporaryDir> temp_dir_;
  std::unique_ptr<session::SessionReader> session_;
  QMap<QString, QAction*> mode_actions_;
  QAction* log_action_ = nullptr;
  QDockWidget* run_dock_ = nullptr;
  QDockWidget* outputs_dock_ = nullptr;
  // True when the shown session is the runner's own last run: only then can
  // heads be ablated (a saved session's prompt may not be the runner's).
  bool live_ = false;
  session::AblationCache ablations_;  // every run's ablated results, by session file
  QString shown_run_, live_run_;  // the session file on show; the runner's last run
  session::AblatedRunPtr ablation_;
  std::optional<SweepOutcome> sweep_;  // of the shown session's prompt
  std::optional<GraftOutcome> graft_;
  std::optional<PatchOutcome> patch_;  // the shown prompt as the clean one
  std::optional<PatchOutcome> position_patch_;  // one head along the positions
  QString grid_shows_ = "maps";
  QMap<QString, QAction*> grid_actions_;  // by grid_shows value
  bool busy_ = false;
  session::Exploration exploration_;
  bool results_modified_ = false;  // a sweep or patching since the session was run, opened or saved
  QAction* undo_action_ = nullptr;
  QAction* redo_action_ = nullptr;
  QMap<qint64, QString> typed_tokens_;  // labels of targets found through the tokenizer
  int row_ = -1, head_ = -1;  // the shown head: mixer row of the session, head
  int run_counter_ = 0;

  RunPanel* run_panel_;
  widgets::HeadGrid* grid_;
  widgets::HeatmapView* heatmap_;
  widgets::HeatmapView* before_;
  widgets::HeatmapView* after_;
  widgets::HeatmapView* diff_;
  widgets::HeatmapView* compare_left_;
  widgets::HeatmapView* compare_right_;
  widgets::OutputsPanel* outputs_;
  QTabWidget* tabs_;
  QLabel* session_label_;
  widgets::TokenTextView* token_text_;
  QScrollArea* text_scroll_ = nullptr;
};

}  // namespace attnscope::gui
