#pragma once
// Which heads matter for this prompt's answer: every head of every mixer
// ablated one at a time on one prompt, each run resumed from the intact
// run's residual stream at the ablated layer (earlier layers are never
// recomputed), with the change in log p(target) at the final position and
// the KL divergence of the next-token distribution from the intact one.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/models/model.h"

namespace attnscope {

struct SweepRow {
  int row = 0;           // mixer row (core/models/model_info.h)
  std::string label;     // the row's label: "3", or "3.attn" in layers with several mixers
  int layer = 0, head = 0;
  double delta_logprob = 0;  // log p(target) ablated minus intact
  double kl = 0;             // KL(intact || ablated) of the next-token distribution, in nats
};

struct SweepResult {
  int64_t target = 0;         // the token scored (the intact top-1 when none was given)
  double intact_logprob = 0;  // log p(target) intact
  std::vector<SweepRow> rows; // row order, then head order
};

struct SweepOptions {
  AblationMode mode = AblationMode::Zero;
  bool resume_from_residuals = true;  // false: every ablated run from the embeddings (benchmarks, tests)
  int channel_group = 1;  // Mamba-1: a head is this many contiguous channels (as the session's maps)
  std::function<void(int done, int total)> on_progress;
  const std::atomic<bool>* cancel = nullptr;  // throws Cancelled between runs and layers
};

// `ids`: [L] int64; target < 0: the intact run's most likely next token.
SweepResult run_head_sweep(const Model& model, const at::Tensor& ids, int64_t target, const SweepOptions& options);

// The sweep as CSV: layer,head,delta_logprob,kl (the CLI's --csv and the window's export).
std::string sweep_csv(const SweepResult& result);

}  // namespace attnscope
