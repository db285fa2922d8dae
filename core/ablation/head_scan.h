#pragma once
// The Gather-and-Aggregate experiment on one model and one task: accuracy
// intact, then with each chosen head ablated (zero and mean), with only a
// chosen set of heads kept in a layer, and with random other heads ablated as
// controls; each head's gather and aggregate scores come from the intact run.
// Ablated runs resume from the intact run's residual stream at the first
// ablated layer, so earlier layers are never recomputed.
#include <atomic>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/ablation/scan_progress.h"
#include "core/io/tokenizer.h"
#include "core/models/model.h"
#include "core/tasks/task.h"

namespace attnscope {

// Heads are addressed by mixer row (core/models/model_info.h: one row per
// mixer, row r is layer r when every layer has one mixer) and head.
struct ScanCondition {
  int row = -1;               // -1 with head -1: the intact run
  int head = -1;              // -1 for keep sets
  std::string mode = "none";  // none | zero | mean | uniform | keep:0+3 | random
  std::vector<HeadAblation> ablations;
  std::string label;          // the row's label: "3", or "3.attn" in layers with several mixers
};

struct ScanRow {
  ScanCondition condition;
  double accuracy = 0;
  double mean_answer_logprob = 0;
  double gather_score = 0;     // the head's, from the intact run; NaN for intact and keep rows
  double aggregate_score = 0;
};

struct KeepSet {
  int layer = 0;
  std::vector<int> heads;  // kept; every other head of the mixer is zeroed
  std::string mixer;       // empty: the layer's only mixer
};
// "1:0+3" -> layer 1, heads 0 and 3 ("1.attn:0+3" names a mixer); throws
// attnscope::Error naming `option` otherwise.
KeepSet parse_keep_set(const std::string& option, const std::string& text);
// "1:0+3,2:1" -> one KeepSet per comma-separated item.
std::vector<KeepSet> parse_keep_sets(const std::string& option, const std::string& list);

struct ScanOptions {
  int top_heads = 0;  // 0: every head; K: the K heads with the highest aggregate score
  std::vector<AblationMode> modes = {AblationMode::Zero, AblationMode::Mean};
  std::vector<KeepSet> keep;
  int random_controls = 0;  // zero-ablations of random heads outside the chosen top set
  unsigned seed = 1;
  int shard_index = 0;      // this part of an array job: conditions k with k % count == index
  int shard_count = 1;
  bool resume_from_residuals = true;  // false: re-run every ablation from the embeddings (benchmarks)
  std::function<void(int done, int total)> on_progress;
  const std::atomic<bool>* cancel = nullptr;
  // Resume from a saved progress (nullptr: from the start). A progress of
  // other conditions (digest or count) is not used: the scan starts over.
  // on_resume hears which, after the intact pass: resumed (and from how many
  // examples), or why not.
  const ScanProgress* resume_from = nullptr;
  std::function<void(bool resumed, int examples_done, const std::string& why_not)> on_resume;
  // Called after every example with the progress so far (to save it).
  std::function<void(const ScanProgress&)> on_example_done;
};

struct HeadScores {
  // [row][head] (mixer rows); NaN where the prompts have no segments.
  std::vector<std::vector<double>> gather, aggregate;
  // Transition sharpness (docs/metrics.md) of each head's map, averaged over
  // the examples: sharp softmax heads against smooth SSM ones.
  std::vector<std::vector<double>> sharpness;
  // How much each head writes at the final position: the norm of the change
  // in its layer's output there when the head is zeroed, over the norm of
  // that output, averaged over the first few examples. A head whose pattern
  // reads the segment ends but whose output is (near) zero carries nothing,
  // so it must not be taken for the aggregate head. Empty when not measured
  // (a merged CSV; too many heads to measure cheaply).
  std::vector<std::vector<double>> writes;
};

// A head is silent when it writes less than this share of what the model's
// strongest-writing head writes at the final position.
constexpr double kSilentWriteShare = 0.01;
bool is_silent(const HeadScores& scores, int row, int head);
int silent_head_count(const HeadScores& scores);

// A G&A head, by its pattern: it puts at least this share of its weight on
// its own segment (gather score) or, from the final token, on the segment
// ends (aggregate score), and it is not silent. With every head scanned,
// random controls are drawn from the heads that are not G&A heads: they
// stand for heads that do not carry retrieval, as in the study, where a
// few G&A heads sit among hundreds of others.
constexpr double kGaHeadScore = 0.5;
bool is_ga_head(const HeadScores& scores, int row, int head);
// Every G&A head (row, head), in row order (the silent threshold found once, not per head).
std::set<std::pair<int, int>> ga_heads(const HeadScores& scores);

struct ScanResult {
  HeadScores scores;
  std::vector<ScanRow> rows;  // the intact row first (in shard 0), then conditions in order
  int examples = 0;
  int total_conditions = 0;   // in the whole scan, every shard's together
  std::string conditions_digest;  // of the whole scan's ordered condition list (every shard's must agree)
};

ScanResult run_head_scan(const Model& model, const io::Tokenizer& tokenizer,
                         const std::vector<tasks::TaskExample>& examples, const ScanOptions& options);

// (row, head) by aggregate score, highest first, silent heads after the
// others and NaN last, ties by position: the order `top_heads` picks from,
// so "the top aggregate head" is one that writes.
std::vector<std::pair<int, int>> heads_by_aggregate(const HeadScores& scores);

// The intact row's accuracy; NaN when the rows have none (a shard without it).
double intact_accuracy(const ScanResult& result);

// Mean accuracy drop from the intact row over the rows `selected` keeps (a
// fraction: 0.25 is 25 points), and how many rows that was.
struct MeanDrop {
  double drop = 0;
  int rows = 0;
};
MeanDrop mean_drop(const ScanResult& result, const std::function<bool(const ScanRow&)>& selected);

// How many conditions a scan of `model` with `options` has at most (the
// random controls may come out fewer: they skip G&A heads), before any run.
int planned_condition_count(const Model& model, const ScanOptions& options);
// The conditions shard i of N holds out of `total`: k = i, i + N, ...
int shard_condition_count(int total, int shard_index, int shard_count);

// "0/4" -> (0, 4); throws attnscope::Error on anything else.
std::pair<int, int> parse_shard(const std::string& text);

}  // namespace attnscope
