#include "core/session/exploration.h"

#include <algorithm>

#include <sstream>
#include <stdexcept>
#include <tuple>

#include "core/session/session_reader.h"

namespace attnscope::session {

bool HeadKey::operator<(const HeadKey& o) const { return std::tie(layer, mixer, head) < std::tie(o.layer, o.mixer, o.head); }

std::string ablation_spec(const ExplorationState& state) {
  std::ostringstream out;
  bool first = true;
  for (const HeadKey& h : state.ablated) {
    out << (first ? "" : ",") << h.layer << "." << (h.mixer.empty() ? "" : h.mixer + ".") << h.head << ":" << state.mode;
    first = false;
  }
  return out.str();
}

namespace {
std::string head_name(const HeadKey& h) {
  return std::to_string(h.layer) + "." + (h.mixer.empty() ? "" : h.mixer + ".") + std::to_string(h.head);
}

class ToggleAblation : public ExplorationCommand {
 public:
  ToggleAblation(HeadKey head, bool ablate) : head_(std::move(head)), ablate_(ablate) {}
  void redo(ExplorationState& s) override { ablate_ ? void(s.ablated.insert(head_)) : void(s.ablated.erase(head_)); }
  void undo(ExplorationState& s) override { ablate_ ? void(s.ablated.erase(head_)) : void(s.ablated.insert(head_)); }
  std::string text() const override { return (ablate_ ? "Ablate head " : "Restore head ") + head_name(head_); }

 private:
  HeadKey head_;
  bool ablate_;
};

class SetMode : public ExplorationCommand {
 public:
  SetMode(std::string from, std::string to) : from_(std::move(from)), to_(std::move(to)) {}
  void redo(ExplorationState& s) override { s.mode = to_; }
  void undo(ExplorationState& s) override { s.mode = from_; }
  std::string text() const override { return "Ablate by " + to_; }

 private:
  std::string from_, to_;
};

class StartRun : public ExplorationCommand {
 public:
  StartRun(ExplorationState from, ExplorationState to) : from_(std::move(from)), to_(std::move(to)) {}
  void redo(ExplorationState& s) override { s = to_; }
  void undo(ExplorationState& s) override { s = from_; }
  std::string text() const override { return "Run"; }

 private:
  ExplorationState from_, to_;
};

class SetTarget : public ExplorationCommand {
 public:
  SetTarget(int64_t from, int64_t to) : from_(from), to_(to) {}
  void redo(ExplorationState& s) override { s.target = to_; }
  void undo(ExplorationState& s) override { s.target = from_; }
  std::string text() const override { return "Target #" + std::to_string(to_); }

 private:
  int64_t from_, to_;
};
}  // namespace

Exploration::Exploration(ExplorationState initial) : state_(initial), saved_(std::move(initial)) {}

void Exploration::push(std::unique_ptr<ExplorationCommand> command) {
  history_.resize(done_);  // a new step drops what was undone
  command->redo(state_);
  history_.push_back(std::move(command));
  ++done_;
  changed();
}

void Exploration::toggle_ablation(const HeadKey& head) {
  push(std::make_unique<ToggleAblation>(head, state_.ablated.count(head) == 0));
}

void Exploration::set_mode(const std::string& mode) {
  if (mode != "zero" && mode != "mean" && mode != "uniform")
    throw std::invalid_argument("unknown ablation mode '" + mode + "' (zero, mean or uniform)");
  if (mode != state_.mode) push(std::make_unique<SetMode>(state_.mode, mode));
}

void Exploration::set_target(int64_t target) {
  if (target != state_.target) push(std::make_unique<SetTarget>(state_.target, target));
}

void Exploration::undo() {
  if (!can_undo()) return;
  history_[--done_]->undo(state_);
  changed();
}

void Exploration::redo() {
  if (!can_redo()) return;
  history_[done_++]->redo(state_);
  changed();
}

std::string Exploration::undo_text() const { return can_undo() ? history_[done_ - 1]->text() : std::string(); }
std::string Exploration::redo_text() const { return can_redo() ? history_[done_]->text() : std::string(); }

void Exploration::start_run(ExplorationState state) {
  saved_ = state;
  push(std::make_unique<StartRun>(state_, std::move(state)));
}

void Exploration::reset(ExplorationState state) {
  history_.clear();
  done_ = 0;
  state_ = state;
  saved_ = std::move(state);
  changed();
}

void Exploration::changed() {
  if (listener_) listener_(state_);
}

bool read_ablation_spec(const std::string& spec, std::set<HeadKey>* heads, std::string* mode) {
  const auto index = [](const std::string& text, int* out) {
    if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos) return false;
    *out = std::stoi(text);
    return true;
  };
  heads->clear();
  mode->clear();
  std::istringstream items(spec);
  std::string item;
  while (std::getline(items, item, ',')) {
    const size_t colon = item.find(':');
    if (colon == std::string::npos) return false;
    const std::string head = item.substr(0, colon), this_mode = item.substr(colon + 1);
    if (this_mode != "zero" && this_mode != "mean" && this_mode != "uniform") return false;
    *mode = this_mode;  // heads may differ in mode (the CLI allows it); the last one stands for the set
    const size_t dot = head.find('.'), last_dot = head.rfind('.');
    HeadKey key;
    if (dot == std::string::npos || !index(head.substr(0, dot), &key.layer) || !index(head.substr(last_dot + 1), &key.head))
      return false;
    if (last_dot != dot) {
      key.mixer = head.substr(dot + 1, last_dot - dot - 1);
      if (key.mixer != "attn" && key.mixer != "ssm") return false;
    }
    if (!heads->insert(key).second) return false;  // a head twice
  }
  return !heads->empty();
}

ExplorationState exploration_of(const SessionReader& session) {
  ExplorationState state;
  state.target = session.outputs().target;
  state.run = session.path().string();
  if (session.ablations().empty()) return state;
  const AblationRecord& last = session.ablations().back();
  read_ablation_spec(last.spec, &state.ablated, &state.mode);  // the reader checked it
  state.target = last.outputs.target;
  return state;
}

int shown_ablation(const SessionReader& session) { return static_cast<int>(session.ablations().size()) - 1; }

bool ablated_row_readable(const SessionReader& session, int a, int row) {
  if (a < 0 || a >= static_cast<int>(session.ablations().size())) return false;
  if (session.has_ablation_maps(a, row)) return true;
  std::set<HeadKey> heads;
  std::string mode;
  if (!read_ablation_spec(session.ablations()[a].spec, &heads, &mode)) return false;
  const int layer = session.mixer(row).layer;
  return std::all_of(heads.begin(), heads.end(), [layer](const HeadKey& h) { return h.layer > layer; });
}

}  // namespace attnscope::session
