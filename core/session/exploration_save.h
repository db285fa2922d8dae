#pragma once
// Saving what was explored on a run into a session file, Qt-free: the open
// session copied with the target chosen, every ablated run measured against
// that target (the one on show last, so reopening shows it), their captured
// maps, and result tables such as a sweep.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/session/exploration.h"
#include "core/session/session_data.h"

namespace attnscope::session {

class SessionReader;

// One ablated run as measured: its record (spec, top-k, final logits), the
// log p it measured for `measured_target` (used when the logits are missing),
// and the maps of one mixer row of the ablated run (for before / after /
// diff), if captured.
struct AblatedRun {
  AblationRecord record;
  int64_t measured_target = -1;
  double logprob_before = 0, logprob_after = 0;
  int map_row = -1;  // the session's mixer row of `maps`; -1: none captured
  int heads = 0;
  std::vector<float> maps;  // [heads, L, L]
  const std::string& spec() const { return record.spec; }
  // The map of `head` of `map_row`, or nullptr.
  const float* head_map(int head, int length) const;
};

// Writes `source` plus the exploration to `target` (atomically; `target` may
// be `source`'s file). Ablations in order, the one on show last. Throws
// attnscope::Error with the file's name on failure.
void save_exploration(const SessionReader& source, const std::filesystem::path& target, const ExplorationState& state,
                      const std::vector<const AblatedRun*>& ablations, const std::vector<MetricRecord>& metrics);

}  // namespace attnscope::session
