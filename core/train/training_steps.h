#pragma once
// The pieces of a training step that `train` and `graft` share: batches of
// task examples (ids and next-token targets, only the answers scored), the
// loss that weighs every example the same, and gradient clipping.
#include <ATen/ATen.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/io/checkpoint.h"
#include "core/io/tokenizer.h"
#include "core/models/model.h"
#include "core/tasks/task.h"

namespace attnscope::train {

// The checkpoint's tokenizer, checked to score every task (each task's
// choices must start with distinct tokens); errors name `command`.
std::unique_ptr<io::Tokenizer> task_tokenizer(const io::Checkpoint& checkpoint, const std::vector<tasks::TaskSpec>& specs,
                                              unsigned seed, const std::string& command);

struct Batch {
  at::Tensor ids, targets;  // [B, L]; targets -100 where nothing is scored
  at::Tensor real;          // [B, L] bool: a token of the example (not padding)
};

// `count` examples drawn in turn from the tasks, each from its own seed.
std::vector<tasks::TaskExample> mixed_examples(const std::vector<tasks::TaskSpec>& specs, int count, unsigned seed);
// The examples tokenised and padded with `pad` to the longest.
Batch make_batch(const io::Tokenizer& tokenizer, const std::vector<tasks::TaskExample>& examples, int64_t pad);
// Mean over examples of each example's mean cross-entropy over its scored
// tokens: a task that scores several answers (MQAR) does not drown one that scores one.
at::Tensor task_loss(const at::Tensor& logits, const Batch& batch);
// Logits [B, L, vocab] of a training forward (autograd on), every layer run
// in turn; `each_layer` may add ablations to a layer's call before it runs.
at::Tensor training_logits(const Model& model, const at::Tensor& ids,
                           const std::function<void(int layer, LayerCall& call)>& each_layer = {});
// Held-out accuracy per task ("mqar:16"), `examples` each, drawn from seed + 99991.
std::map<std::string, double> task_accuracies(const Model& model, const io::Tokenizer& tokenizer,
                                              const std::vector<tasks::TaskSpec>& specs, int examples, unsigned seed);

// Mean over the examples' real tokens of KL(teacher || student) of the
// next-token distributions (distillation; every position, not only answers).
at::Tensor distillation_loss(const at::Tensor& student_logits, const at::Tensor& teacher_logits, const Batch& batch);
// Scales all gradients down together when their joint norm exceeds max_norm.
void clip_gradients(const std::vector<at::Tensor>& params, double max_norm);
// The learning rate at `step`: linear warm-up over the first 5%, then cosine decay to a tenth.
double scheduled_learning_rate(double peak, int step, int steps);

}  // namespace attnscope::train
