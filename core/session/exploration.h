#pragma once
// What a researcher is exploring on one run, without Qt and without a
// model: the heads ablated, the ablation mode and the target token. Every
// change is an undoable command (one class per setter, the LabPlot way); the
// window shows this state, scripts drive it, and a saved session restores it.
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace attnscope::session {

class SessionReader;

// One head of one mixer: `mixer` is its name where the layer has several ("attn", "ssm").
struct HeadKey {
  int layer = 0, head = 0;
  std::string mixer;
  bool operator<(const HeadKey& o) const;
  bool operator==(const HeadKey& o) const { return layer == o.layer && head == o.head && mixer == o.mixer; }
};

struct ExplorationState {
  std::set<HeadKey> ablated;
  std::string mode = "zero";  // zero, mean or uniform
  int64_t target = -1;        // the token ablations, sweeps and patching measure
  std::string run;            // the session file of the run on show
  bool operator==(const ExplorationState& o) const {
    return ablated == o.ablated && mode == o.mode && target == o.target && run == o.run;
  }
};

// "1.3:zero,2.attn.0:zero": the ablation set as sessions and the runner name it (heads in order).
std::string ablation_spec(const ExplorationState& state);
// Reads a saved spec back: every item "layer.head:mode" or "layer.mixer.head:mode"
// (mixer attn or ssm, mode zero, mean or uniform; `mode` gets the last item's).
// False, leaving the outputs unspecified, when it is not such a spec (a stranger's file).
bool read_ablation_spec(const std::string& spec, std::set<HeadKey>* heads, std::string* mode);

class ExplorationCommand {
 public:
  virtual ~ExplorationCommand() = default;
  virtual void redo(ExplorationState& state) = 0;
  virtual void undo(ExplorationState& state) = 0;
  virtual std::string text() const = 0;  // "Ablate head 1.3", shown as Edit > Undo ...
};

class Exploration {
 public:
  explicit Exploration(ExplorationState initial = {});

  const ExplorationState& state() const { return state_; }
  // The setters: each pushes its command (dropping anything undone) and applies it.
  void toggle_ablation(const HeadKey& head);
  void set_mode(const std::string& mode);  // throws std::invalid_argument for another name
  void set_target(int64_t target);

  bool can_undo() const { return done_ > 0; }
  bool can_redo() const { return done_ < history_.size(); }
  void undo();
  void redo();
  std::string undo_text() const;
  std::string redo_text() const;

  // A new run: an undoable step to its state (undo shows the run before, with
  // what was explored on it); the new run has nothing unsaved.
  void start_run(ExplorationState state);
  // A session opened: its state, with no history and nothing unsaved.
  void reset(ExplorationState state);
  // Differs from the state last saved, opened or run (undoing back to it is not a change).
  bool modified() const { return !(state_ == saved_); }
  void mark_saved() { saved_ = state_; }
  // Called after every change (setter, undo, redo, reset) with the new state.
  void on_change(std::function<void(const ExplorationState&)> listener) { listener_ = std::move(listener); }

 private:
  void push(std::unique_ptr<ExplorationCommand> command);
  void changed();
  ExplorationState state_, saved_;
  std::vector<std::unique_ptr<ExplorationCommand>> history_;
  size_t done_ = 0;  // commands applied: history_[0, done_)
  std::function<void(const ExplorationState&)> listener_;
};

// A saved session's exploration: the last ablation saved (the one on show
// when saving) with its mode, the session's target, and its file as the run.
ExplorationState exploration_of(const SessionReader& session);
// The index of the ablation on show when `session` was saved (its last), or -1 when it holds none.
int shown_ablation(const SessionReader& session);
// The maps of mixer `row` in ablation `a` of `session`: stored with it, or
// the intact ones when the row's layer comes before every ablated head (it
// computes exactly what it did intact). False when neither.
bool ablated_row_readable(const SessionReader& session, int a, int row);

}  // namespace attnscope::session
