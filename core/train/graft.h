#pragma once
// `attnscope graft`: replaces one head of a Mamba-2 layer by a softmax
// attention head and trains only that head's new queries and keys on a task,
// every other weight frozen (the Gather-and-Aggregate study's constructive
// result: one attention head in a pure SSM restores retrieval). The control
// `with = SsmHead` spends the same budget fine-tuning the SSM head's own
// parameters instead. The result is an attnscope_hybrid checkpoint with
// head-level mixer choice (core/train/graft_checkpoint.h) that every command opens.
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/tasks/task.h"
#include "core/train/graft_checkpoint.h"

namespace attnscope::train {

struct GraftOptions {
  std::filesystem::path source, out_dir;
  HeadToGraft head;  // head.attention false: fine-tune the SSM head itself (the control)
  std::vector<tasks::TaskSpec> tasks;
  int steps = 300;  // 0: the grafted checkpoint as initialised, untrained
  int batch = 32;
  double learning_rate = 3e-3;
  unsigned seed = 1234;
  int eval_examples = 400;  // per task, before and after
  std::string command;      // recorded in the model card
  std::function<void(int step, int steps, double loss)> on_progress;
  std::function<bool()> cancelled;  // polled each step; true throws Cancelled (core/models/forward.h), nothing written
};

struct GraftReport {
  double seconds = 0, final_loss = 0;
  int64_t trained_parameters = 0;
  // Per task ("mqar:16"): the source model, the converted model before training, and after.
  std::map<std::string, double> accuracy_source, accuracy_start, accuracy_after;
};

GraftReport graft_head(const GraftOptions& options);

// The names of the parameters the run trains, and for the SSM-head control
// the mask of each one's entries that belong to the head (1) or stay frozen (0).
struct TrainedSlice {
  std::string name;
  std::vector<int64_t> rows;  // rows (dimension 0) that train; empty: all of it
};
std::vector<TrainedSlice> graft_trained_slices(const std::filesystem::path& grafted_dir, const HeadToGraft& head);

}  // namespace attnscope::train
