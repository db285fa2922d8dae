#pragma once
// A scan's running scores, kept so that a scan stopped by a time limit or a
// kill resumes where it was (core/ablation/head_scan.h reads and fills it,
// core/ablation/scan_parts.h stores it beside the CSV). No LibTorch here.
#include <string>
#include <vector>

namespace attnscope {

// One condition's running score over the examples scored so far.
struct ConditionTally {
  int correct = 0;
  double logprob = 0;  // sum of the answer's log-probability
};

// This shard's conditions scored on the first `examples_done` examples. The
// sums are carried exactly, so a resumed scan gives the numbers, to the last
// bit, of one that never stopped.
struct ScanProgress {
  // Which conditions the tallies are of (a digest of the whole scan's
  // ordered condition list): a shard whose intact pass ranked heads
  // otherwise (another device, another build) scans other conditions.
  std::string conditions_digest;
  int examples_done = 0;
  std::vector<ConditionTally> tallies;  // one per condition of this shard, in order
};

}  // namespace attnscope
