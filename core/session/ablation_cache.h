#pragma once
// Ablated runs already measured, per run on show, so toggling back to an
// ablation set, undoing across runs or reopening a saved session shows its
// result without running the model again. Qt-free: the window, scripts and
// save_exploration share it.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/session/exploration_save.h"
#include "core/session/session_data.h"

namespace attnscope::session {

class SessionReader;

using AblatedRunPtr = std::shared_ptr<const AblatedRun>;

class AblationCache {
 public:
  // Files `result` under `run` (a session file); replaces one of the same spec and row. Returns it as filed.
  AblatedRunPtr add(const std::string& run, AblatedRun result);
  // The result of `spec` on `run` with `row`'s maps; failing that (`any_row`) any result of `spec`.
  AblatedRunPtr find(const std::string& run, const std::string& spec, int row, bool any_row = false) const;
  // A saved session's ablations filed under `run` (no model needed), in the
  // file's order; returns the last one (the one on show when it was saved).
  AblatedRunPtr load_saved(const SessionReader& session, const std::string& run);
  // The token text of `id` in any cached top-k of `run`.
  std::optional<std::string> token_text(const std::string& run, int64_t id) const;
  // What save_exploration writes for `run`: every result, `shown` last. Pointers into this cache.
  std::vector<const AblatedRun*> to_save(const std::string& run, const AblatedRunPtr& shown) const;
  void clear() { runs_.clear(); }

 private:
  // By run, then by (spec, captured row).
  std::map<std::string, std::map<std::pair<std::string, int>, AblatedRunPtr>> runs_;
};

}  // namespace attnscope::session
