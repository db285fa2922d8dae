#include "core/tasks/scoring.h"

#include <set>

#include "core/util/error.h"

namespace attnscope::tasks {

std::vector<int64_t> prompt_ids(const io::Tokenizer& tokenizer, const TaskExample& example) {
  // Pieces begin at pre-token boundaries, so the whole prompt tokenises as its
  // pieces do; with the special tokens a model sees around a prompt (Llama's <s>).
  return tokenizer.encode_ids(example.prompt(), true);
}

PreparedExample prepare_example(const io::Tokenizer& tokenizer, const TaskExample& example) {
  PreparedExample p;
  p.ids = prompt_ids(tokenizer, example);
  p.choices = choice_ids(tokenizer, example);
  p.answer = tokenizer.encode_ids(example.answer()).front();
  // Token counts of growing prefixes give each piece's span, whatever the
  // tokenizer does at piece boundaries.
  std::string prefix;
  int64_t before = static_cast<int64_t>(tokenizer.special_tokens_before());  // a BOS comes first
  const std::string prompt = example.prompt();
  for (const auto& piece : example.pieces) {
    if (prefix.size() + piece.text.size() > prompt.size()) break;
    prefix += piece.text;
    const auto count = static_cast<int64_t>(tokenizer.special_tokens_before() + tokenizer.encode_ids(prefix).size());
    if (piece.segment && count > before) p.segments.push_back({before, count - 1});
    before = count;
  }
  return p;
}

std::vector<int64_t> choice_ids(const io::Tokenizer& tokenizer, const TaskExample& example) {
  std::vector<int64_t> ids;
  std::set<int64_t> seen;
  for (const auto& c : example.choices) {
    const auto t = tokenizer.encode_ids(c);
    if (t.empty()) throw Error("task choice '" + c + "' has no tokens");
    if (!seen.insert(t.front()).second)
      throw Error("task choices share their first token ('" + c + "'): the scoring rule cannot tell them apart");
    ids.push_back(t.front());
  }
  return ids;
}

ScoredExample score_logits(const at::Tensor& last_logits, const std::vector<int64_t>& choices, int64_t answer) {
  const at::Tensor logp = at::log_softmax(last_logits.to(at::kCPU, at::kDouble), -1);
  int64_t best = choices.front();
  for (int64_t c : choices)
    if (logp[c].item<double>() > logp[best].item<double>()) best = c;
  return {best == answer, logp[answer].item<double>()};
}

ScoredExample score_example(const Model& model, const io::Tokenizer& tokenizer, const TaskExample& example,
                            const ForwardOptions& options) {
  const auto ids = prompt_ids(tokenizer, example);
  const auto answer = tokenizer.encode_ids(example.answer());
  const auto result = run_forward(model, at::tensor(ids, at::TensorOptions().dtype(at::kLong)), options);
  return score_logits(result.logits[-1], choice_ids(tokenizer, example), answer.front());
}

double accuracy(const Model& model, const io::Tokenizer& tokenizer, const std::vector<TaskExample>& examples,
                const ForwardOptions& options) {
  if (examples.empty()) return 0;
  int right = 0;
  for (const auto& e : examples) right += score_example(model, tokenizer, e, options).correct;
  return static_cast<double>(right) / static_cast<double>(examples.size());
}

}  // namespace attnscope::tasks
