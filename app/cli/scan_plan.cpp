#include "app/cli/scan_plan.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/models/forward.h"
#include "core/models/model_info.h"
#include "core/runtime/device.h"
#include "core/tasks/scoring.h"

namespace attnscope::cli {
namespace {

constexpr int kTimedExamples = 4;
constexpr double kTargetShardSeconds = 3600;  // a shard of about an hour: short queues, little lost to a failure

std::string duration(double seconds) {
  char buf[32];
  if (seconds < 120) std::snprintf(buf, sizeof buf, "%.0f s", seconds);
  else if (seconds < 7200) std::snprintf(buf, sizeof buf, "%.0f min", seconds / 60);
  else std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
  return buf;
}

// Slurm's HH:MM:SS, rounded up to whole minutes.
std::string time_limit(double seconds) {
  const long minutes = std::max(1L, static_cast<long>(std::ceil(seconds / 60)));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02ld:%02ld:00", minutes / 60, minutes % 60);
  return buf;
}

// The median time of a full forward over the first few examples (after one untimed warm-up).
double forward_seconds(const Model& model, const io::Tokenizer& tokenizer, const std::vector<tasks::TaskExample>& examples) {
  std::vector<double> times;
  const int n = std::min<int>(kTimedExamples, static_cast<int>(examples.size()));
  for (int i = -1; i < n; ++i) {
    const auto prepared = tasks::prepare_example(tokenizer, examples[std::max(i, 0)]);
    const at::Tensor ids = at::tensor(prepared.ids, at::TensorOptions().dtype(at::kLong));
    const auto start = std::chrono::steady_clock::now();
    run_forward(model, ids, ForwardOptions{});
    if (i >= 0) times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// An ablated run resumes at the ablated layer: the share of a forward it
// costs, averaged over every head (the layers after it, of all layers).
double resumed_share(const ModelInfo& info) {
  double sum = 0;
  int heads = 0;
  for (const auto& row : mixer_rows(info)) {
    sum += row.info.heads * double(info.num_layers - row.layer) / info.num_layers;
    heads += row.info.heads;
  }
  return heads ? sum / heads : 1.0;
}

}  // namespace

void print_scan_plan(const LoadedModel& loaded, const std::vector<tasks::TaskExample>& examples, const ScanOptions& o) {
  const Model& model = *loaded.model;
  const int conditions = planned_condition_count(model, o);
  const double e = static_cast<double>(examples.size());
  const double forward = forward_seconds(model, *loaded.tokenizer, examples);
  const double share = o.resume_from_residuals ? resumed_share(model.info()) : 1.0;
  const double intact = e * forward;                  // every shard repeats the intact pass
  const double ablated = e * conditions * forward * share;  // split over the shards
  std::printf("scan plan: %d conditions (at most), %zu examples: %.0f ablated runs and %zu intact runs\n", conditions,
              examples.size(), e * conditions, examples.size());
  std::printf("one forward: %.1f ms on %s (median of %d examples); an ablated run resumes at its layer: %.2f of a forward\n",
              1000 * forward, compute_description(model.device()).c_str(), std::min<int>(kTimedExamples, examples.size()),
              share);
  std::printf("one process: about %s\n\n%8s  %s\n", duration(intact + ablated).c_str(), "shards", "time per shard");
  const int most = std::max(1, conditions);
  int suggested = static_cast<int>(std::ceil(ablated / std::max(1.0, kTargetShardSeconds - intact)));
  suggested = std::clamp(suggested, 1, most);
  for (int n : {1, 4, 16, 64, 256})
    if (n <= most) std::printf("%8d  %s\n", n, duration(intact + ablated / n).c_str());
  const double per_shard = intact + ablated / suggested;
  std::printf("\nsuggested: SHARDS=%d (--shard i/%d), about %s each; a time limit of twice that: --time=%s\n", suggested,
              suggested, duration(per_shard).c_str(), time_limit(2 * per_shard).c_str());
  std::printf("(measured on this machine: a cluster node's rate differs; shards resume after a time limit)\n");
}

}  // namespace attnscope::cli
