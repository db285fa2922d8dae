#pragma once
// attnscope scan --plan: how big a scan is and how to split it, before
// anything is submitted to a cluster (docs/scaling.md).
#include <vector>

#include "core/ablation/head_scan.h"
#include "core/runtime/loaded_model.h"
#include "core/tasks/task.h"

namespace attnscope::cli {

// Prints the number of conditions and runs, the measured time of one
// forward on this machine, the estimated time of the whole scan and per
// shard for a few shard counts, and a suggested shard count and time limit.
void print_scan_plan(const LoadedModel& loaded, const std::vector<tasks::TaskExample>& examples, const ScanOptions& options);

}  // namespace attnscope::cli
