#pragma once
// `attnscope train`: trains a small model from scratch in LibTorch on the CPU
// (seeded, repeatable) on text tasks, and writes a checkpoint in the Hugging
// Face layout: config.json, model.safetensors, tokenizer.json (byte-level BPE
// learnt from the task text) and a README.md model card. The model is the
// very family class AttnScope loads for inference (core/models), so what is
// trained is what is shown.
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/ablation/head_scan.h"
#include "core/tasks/task.h"

namespace attnscope::train {

struct TrainOptions {
  std::string architecture = "transformer";  // demo_configs.h
  std::filesystem::path out_dir;
  std::vector<tasks::TaskSpec> tasks = {{"letters", 4}, {"mqar", 6}};
  int layers = 0;  // 0: the architecture's depth (demo_configs.cpp)
  // Learn the tokenizer from the trained tasks' text only (as versions before
  // curricula did), not from every task's: such a model cannot add tasks later.
  bool tokenizer_from_trained_tasks = false;
  int heads = 0;   // attention heads per layer (hidden size split among them); 0: the default
  int head_dim = 0;  // size of each attention head; 0: the hidden size split among the heads
  // A curriculum's later stage: start from this checkpoint (an earlier
  // `train` output of the same architecture) with its tokenizer and weights.
  std::filesystem::path init_from;
  std::string earlier_stages;  // the earlier stages' commands, for the model card (read from init_from)
  // Weight of the group-lasso penalty on attention heads (head_sparsity.h); 0: none.
  double head_sparsity = 0;
  std::vector<int> head_sparsity_layers;  // layers the penalty applies to; empty: every layer
  // Head dropout: each training step zeroes each attention head of these
  // layers with this probability, so that no single head there becomes
  // indispensable (the layer learns its job redundantly). 0: none.
  double head_dropout = 0;
  std::vector<int> head_dropout_layers;  // empty: every layer
  // Heads head dropout never zeroes: the job the others share at random
  // settles in these, the few indispensable heads among many spare ones
  // that large models show (the Gather-and-Aggregate study).
  std::vector<KeepSet> head_dropout_spared;
  // Pruning: in each listed layer only these attention heads are kept; the
  // others are zeroed at every step and their output projections are zero in
  // the checkpoint, as in the pruned models of the Gather-and-Aggregate study.
  std::vector<KeepSet> keep_heads;
  int steps = 1500;
  int batch = 32;
  double learning_rate = 3e-3;
  unsigned seed = 1234;
  int eval_examples = 400;  // per task, for the model card
  std::string command;      // recorded in the model card
  std::function<void(int step, int steps, double loss)> on_progress;
};

struct TrainReport {
  double seconds = 0;
  double final_loss = 0;  // the task loss, without any head-sparsity penalty
  int64_t parameters = 0;
  int64_t vocab_size = 0;
  std::map<std::string, double> accuracy;  // task -> accuracy on held-out examples
};

TrainReport train_demo_model(const TrainOptions& options);

}  // namespace attnscope::train
