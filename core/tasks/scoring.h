#pragma once
// The scoring rule of every task: the model reads the prompt, and its answer
// is the candidate whose first token has the highest next-token logit (MMLU's
// letter rule; for the dictionary probe, the likeliest value). Accuracy is
// the share of examples whose answer is right.
#include <vector>

#include "core/io/tokenizer.h"
#include "core/mixing/ga_scores.h"
#include "core/models/forward.h"
#include "core/tasks/task.h"

namespace attnscope::tasks {

struct ScoredExample {
  bool correct = false;
  double answer_logprob = 0;  // log-probability of the right answer's first token
};

// Token ids of an example's prompt.
std::vector<int64_t> prompt_ids(const io::Tokenizer& tokenizer, const TaskExample& example);

// A segment's tokens in the prompt, [first, last] inclusive: the span the G&A scores read.
using TokenSpan = mixing::Segment;

// An example as a scan needs it: prompt ids, segments, candidates, answer.
struct PreparedExample {
  std::vector<int64_t> ids;
  std::vector<TokenSpan> segments;  // the prompt's TaskPiece::segment pieces, in order
  std::vector<int64_t> choices;     // first token of each candidate
  int64_t answer = 0;               // first token of the right answer
};
PreparedExample prepare_example(const io::Tokenizer& tokenizer, const TaskExample& example);
// First token of each candidate; throws when two candidates share it.
std::vector<int64_t> choice_ids(const io::Tokenizer& tokenizer, const TaskExample& example);

ScoredExample score_logits(const at::Tensor& last_logits, const std::vector<int64_t>& choices, int64_t answer);
ScoredExample score_example(const Model& model, const io::Tokenizer& tokenizer, const TaskExample& example,
                            const ForwardOptions& options = {});
double accuracy(const Model& model, const io::Tokenizer& tokenizer, const std::vector<TaskExample>& examples,
                const ForwardOptions& options = {});

}  // namespace attnscope::tasks
