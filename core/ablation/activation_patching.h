#pragma once
// Activation patching: does a head *carry* the information the answer needs?
// Two prompts of equal token length — a clean one and a corrupted one (a
// token replaced, the options shuffled) — are run; one head's output (the
// per-head hook point, core/models/blocks/mixer.h) is copied from the source
// run into the receiving run, at every position or at chosen ones, and the
// logit difference  logit[target] - logit[foil]  at the final position is
// read. The recovered fraction is how far the patch moves it from the
// receiving run's value to the source run's:
//   (LD_patched - LD_receiving) / (LD_source - LD_receiving).
// Patched runs resume from the receiving run's residual stream at the first
// patched layer (earlier layers cannot change), as the sweep does.
#include <ATen/ATen.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/ablation/recorded_heads.h"
#include "core/models/model.h"

namespace attnscope {

enum class PatchDirection {
  CleanIntoCorrupted,  // denoising: which heads restore the clean answer
  CorruptedIntoClean,  // noising: which heads break it
};

// One head of one mixer (index into LayerInfo::mixers) patched at
// `positions` (empty: every position).
struct HeadPatch {
  int layer = 0, mixer = 0, head = 0;
  std::vector<int64_t> positions;
};

struct PatchBaseline {
  int64_t target = 0, foil = 0;  // logit difference = logit[target] - logit[foil]
  double clean_logit_diff = 0, corrupted_logit_diff = 0;
  double source_logit_diff = 0, receiving_logit_diff = 0;  // the two above in the direction's order
  std::vector<int64_t> differing_positions;                // where the two prompts' tokens differ
};

struct PatchSweepRow {
  int row = 0;            // mixer row (core/models/model_info.h)
  std::string label;      // "3", or "3.attn" in layers with several mixers
  int layer = 0, head = 0;
  double logit_diff = 0;  // with this head patched
  double recovered = 0;   // (LD_patched - LD_receiving) / (LD_source - LD_receiving)
};

struct PositionPatchRow {
  int64_t position = 0;
  double logit_diff = 0;
  double recovered = 0;
};

struct PatchRunOptions {
  std::function<void(int done, int total)> on_progress;
  const std::atomic<bool>* cancel = nullptr;  // throws Cancelled between runs and layers
  bool resume_from_residuals = true;          // false: every patched run from the embeddings (tests)
  // Sees each layer's call after the patch hooks are set (tests watch a
  // mixer's output through its on_output hook).
  std::function<void(int layer, LayerCall& call)> watch_layer_call;
};

// Per-head rows as CSV: layer,head,logit_diff,recovered (the CLI's --csv and the window's export).
std::string patch_heads_csv(const std::vector<PatchSweepRow>& rows);

class ActivationPatcher {
 public:
  // clean_ids, corrupted_ids: [L] int64 of one length. target < 0: the clean
  // run's top-1; foil < 0: the corrupted run's top-1, or its best other token
  // when that is the target too. Runs both prompts once. channel_group:
  // Mamba-1 heads are that many contiguous channels (as the session's maps).
  ActivationPatcher(const Model& model, const at::Tensor& clean_ids, const at::Tensor& corrupted_ids, int64_t target,
                    int64_t foil, PatchDirection direction, const std::atomic<bool>* cancel = nullptr,
                    int channel_group = 1);

  const PatchBaseline& baseline() const { return baseline_; }
  PatchDirection direction() const { return direction_; }

  // Final-position logits [vocab] (float64, CPU) of the receiving run with
  // these heads' outputs taken from the source run.
  at::Tensor patched_logits(const std::vector<HeadPatch>& patches, const PatchRunOptions& run = {}) const;
  double logit_diff(const at::Tensor& logits) const;
  // (LD - LD_receiving) / (LD_source - LD_receiving); throws when the two runs
  // give the same logit difference (nothing to recover).
  double recovered(double logit_diff) const;

  // Every head of every mixer patched alone (row order, then head order).
  std::vector<PatchSweepRow> sweep_heads(const PatchRunOptions& run = {}) const;
  // One head patched at one position at a time.
  std::vector<PositionPatchRow> sweep_positions(int layer, int mixer, int head, const PatchRunOptions& run = {}) const;

 private:
  const Model& model_;
  PatchDirection direction_;
  int channel_group_ = 1;
  at::Tensor receiving_ids_;
  std::vector<at::Tensor> receiving_residuals_;          // entering each layer
  RecordedHeads source_heads_;  // of the source run
  PatchBaseline baseline_;
};

}  // namespace attnscope
