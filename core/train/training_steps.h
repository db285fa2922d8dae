#pragma once
// The pieces of a training step that `train` and `graft` share: batches of
// task examples (ids and next-token targets, only the answers scored), the
// loss that weighs every example the same, and gradient clipping.
#include <ATen/ATen.h>

#include <vector>

#include "core/io/tokenizer.h"
#include "core/tasks/task.h"

namespace attnscope::train {

struct Batch {
  at::Tensor ids, targets;  // [B, L]; targets -100 where nothing is scored
};

// `count` examples drawn in turn from the tasks, each from its own seed.
std::vector<tasks::TaskExample> mixed_examples(const std::vector<tasks::TaskSpec>& specs, int count, unsigned seed);
// The examples tokenised and padded with `pad` to the longest.
Batch make_batch(const io::Tokenizer& tokenizer, const std::vector<tasks::TaskExample>& examples, int64_t pad);
// Mean over examples of each example's mean cross-entropy over its scored
// tokens: a task that scores several answers (MQAR) does not drown one that scores one.
at::Tensor task_loss(const at::Tensor& logits, const Batch& batch);
// Scales all gradients down together when their joint norm exceeds max_norm.
void clip_gradients(const std::vector<at::Tensor>& params, double max_norm);
// The learning rate at `step`: linear warm-up over the first 5%, then cosine decay to a tenth.
double scheduled_learning_rate(double peak, int step, int steps);

}  // namespace attnscope::train
