#pragma once
// Saving what was explored on a run into a session file, Qt-free: the open
// session copied with the target chosen, every ablated run measured against
// that target (the one on show last, so reopening shows it), their captured
// maps, and result tables such as a sweep.
#include <filesystem>
#include <vector>

#include "core/session/exploration.h"
#include "core/session/session_data.h"

namespace attnscope::session {

class SessionReader;

// One ablated run as measured: its record (spec, top-k, final logits), the
// log p it measured for `measured_target` (used when the logits are missing),
// and the captured mixer's maps, if any.
struct SavedAblation {
  AblationRecord record;
  int64_t measured_target = -1;
  double logprob_before = 0, logprob_after = 0;
  int map_row = -1;               // the mixer row of `maps`; -1: none
  const float* maps = nullptr;    // [heads, L, L]
  int heads = 0;
};

// Writes `source` plus the exploration to `target` (atomically; `target` may
// be `source`'s file). Ablations in order, the one on show last. Throws
// attnscope::Error with the file's name on failure.
void save_exploration(const SessionReader& source, const std::filesystem::path& target, const ExplorationState& state,
                      const std::vector<SavedAblation>& ablations, const std::vector<MetricRecord>& metrics);

}  // namespace attnscope::session
