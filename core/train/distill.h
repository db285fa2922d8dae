#pragma once
// `attnscope distill`: retrieval-aware placement (Bick, Xing, Gu 2026) on a
// Transformer in the Llama layout. Heads are ranked by the accuracy lost when
// each is zeroed alone on the task (the ablation scan); the top k stay
// softmax attention and every other head becomes a Mamba-2 (SSD) head over
// its own q, k, v (attnscope_hybrid's attention_ssm_heads); the student is
// then distilled from the original on the task mixture (KL of the next-token
// distributions at every position). Controls: the same k chosen at random,
// or as whole layers (the layers whose heads matter most, in head order).
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/tasks/task.h"

namespace attnscope::train {

enum class HeadSelection { Scan, Random, Layers };
HeadSelection parse_head_selection(const std::string& text);  // scan | random | layers
std::string head_selection_name(HeadSelection selection);

struct DistillOptions {
  std::filesystem::path source, out_dir;
  int keep = 1;  // attention heads kept
  HeadSelection selection = HeadSelection::Scan;
  std::vector<tasks::TaskSpec> tasks;
  int scan_examples = 200;  // for the ranking (its own seed, not the evaluation's examples)
  int steps = 300;          // 0: the student as initialised, undistilled
  int batch = 32;
  double learning_rate = 1e-3;
  unsigned seed = 1234;
  int eval_examples = 400;
  std::string command;
  std::function<void(const std::string& stage)> on_stage;
  std::function<void(int step, int steps, double loss)> on_progress;
  std::function<bool()> cancelled;  // true throws Cancelled, nothing written
};

struct DistillReport {
  std::vector<std::pair<int, int>> kept;       // (layer, head) kept as attention
  std::vector<std::pair<int, int>> ranking;    // every head, most needed first (the scan's order)
  std::vector<double> ranking_drop;            // accuracy lost when zeroed, per ranking entry
  int total_heads = 0;
  double seconds = 0, final_loss = 0;
  std::map<std::string, double> accuracy_teacher, accuracy_start, accuracy_after;
};

// The heads to keep: by `selection` from the scan's ranking (most needed first) over `heads_per_layer`.
std::vector<std::pair<int, int>> choose_kept_heads(HeadSelection selection, int keep,
                                                   const std::vector<std::pair<int, int>>& ranking,
                                                   const std::vector<double>& drop, const std::vector<int>& heads_per_layer,
                                                   unsigned seed);

DistillReport distill_heads(const DistillOptions& options);

}  // namespace attnscope::train
