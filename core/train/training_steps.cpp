#include "core/train/training_steps.h"

#include <algorithm>
#include <cmath>

#include "core/tasks/scoring.h"
#include "core/util/error.h"

namespace attnscope::train {
namespace {

// Ids and next-token targets (-100 where nothing is scored) of one example.
void tokenise(const io::Tokenizer& tok, const tasks::TaskExample& e, std::vector<int64_t>& ids, std::vector<int64_t>& targets) {
  for (const auto& piece : e.pieces)
    for (int64_t id : tok.encode_ids(piece.text)) {
      if (!ids.empty()) targets.push_back(piece.scored ? id : -100);
      ids.push_back(id);
    }
  targets.push_back(-100);
}

}  // namespace

std::unique_ptr<io::Tokenizer> task_tokenizer(const io::Checkpoint& ck, const std::vector<tasks::TaskSpec>& specs, unsigned seed,
                                              const std::string& command) {
  const auto file = ck.tokenizer_path();
  if (!file) fail_file(ck.dir(), "has no tokenizer.json or vocab.json: " + command + " trains on task text and needs one");
  auto tokenizer = io::Tokenizer::from_file(*file);
  for (const auto& spec : specs) {
    try {
      tasks::choice_ids(*tokenizer, tasks::generate(spec, 1, seed).front());
    } catch (const Error& e) {
      throw Error(command + ": task " + spec.name + " cannot be scored with this model's tokenizer: " + e.what());
    }
  }
  return tokenizer;
}

std::vector<tasks::TaskExample> mixed_examples(const std::vector<tasks::TaskSpec>& specs, int count, unsigned seed) {
  std::vector<tasks::TaskExample> out;
  for (int i = 0; i < count; ++i) {
    const auto& spec = specs[static_cast<size_t>(i) % specs.size()];
    auto one = tasks::generate(spec, 1, seed * 7919u + static_cast<unsigned>(i));
    out.push_back(std::move(one.front()));
  }
  return out;
}

Batch make_batch(const io::Tokenizer& tok, const std::vector<tasks::TaskExample>& examples, int64_t pad) {
  std::vector<std::vector<int64_t>> ids(examples.size()), targets(examples.size());
  size_t length = 0;
  for (size_t i = 0; i < examples.size(); ++i) {
    tokenise(tok, examples[i], ids[i], targets[i]);
    length = std::max(length, ids[i].size());
  }
  const int64_t rows = static_cast<int64_t>(examples.size()), columns = static_cast<int64_t>(length);
  Batch b{at::full({rows, columns}, pad, at::kLong), at::full({rows, columns}, -100, at::kLong),
          at::zeros({rows, columns}, at::kBool)};
  for (size_t i = 0; i < examples.size(); ++i) {
    const auto n = static_cast<int64_t>(ids[i].size());
    b.ids[i].narrow(0, 0, n).copy_(at::tensor(ids[i], at::kLong));
    b.targets[i].narrow(0, 0, n).copy_(at::tensor(targets[i], at::kLong));
    b.real[i].narrow(0, 0, n).fill_(true);
  }
  return b;
}

at::Tensor task_loss(const at::Tensor& logits, const Batch& b) {
  const at::Tensor scored = b.targets.ne(-100).to(at::kFloat);
  const at::Tensor weights = scored / scored.sum(1, true).clamp_min(1) / static_cast<double>(b.targets.size(0));
  const at::Tensor token_loss = at::cross_entropy_loss(logits.reshape({-1, logits.size(-1)}), b.targets.reshape({-1}), {},
                                                       at::Reduction::None, -100);
  return (token_loss * weights.reshape({-1})).sum();
}

at::Tensor training_logits(const Model& model, const at::Tensor& ids, const std::function<void(int, LayerCall&)>& each_layer) {
  const auto& layers = model.info().layers;
  at::Tensor hidden = model.embed(ids);
  for (size_t l = 0; l < layers.size(); ++l) {
    LayerCall call(layers[l]);
    if (each_layer) each_layer(static_cast<int>(l), call);
    hidden = model.layer(static_cast<int>(l), hidden, call);
  }
  return model.logits(hidden);
}

std::map<std::string, double> task_accuracies(const Model& model, const io::Tokenizer& tokenizer,
                                              const std::vector<tasks::TaskSpec>& specs, int examples, unsigned seed) {
  std::map<std::string, double> out;
  for (const auto& spec : specs) {
    const std::string label = spec.pairs ? spec.name + ":" + std::to_string(spec.pairs) : spec.name;
    out[label] = tasks::accuracy(model, tokenizer, tasks::generate(spec, examples, seed + 99991u));
  }
  return out;
}

at::Tensor distillation_loss(const at::Tensor& student_logits, const at::Tensor& teacher_logits, const Batch& b) {
  const at::Tensor teacher = at::log_softmax(teacher_logits.to(at::kFloat), -1);
  const at::Tensor student = at::log_softmax(student_logits.to(at::kFloat), -1);
  const at::Tensor kl = (teacher.exp() * (teacher - student)).sum(-1);  // [B, L]
  const at::Tensor real = b.real.to(at::kFloat);
  return (kl * real).sum() / real.sum().clamp_min(1);
}

void clip_gradients(const std::vector<at::Tensor>& params, double max_norm) {
  double total = 0;
  for (const auto& p : params)
    if (p.grad().defined()) total += p.grad().pow(2).sum().item<double>();
  total = std::sqrt(total);
  if (total > max_norm)
    for (const auto& p : params)
      if (p.grad().defined()) p.grad().mul_(max_norm / (total + 1e-6));
}

double scheduled_learning_rate(double peak, int step, int steps) {
  const int warmup = std::max(1, steps / 20);
  const double progress = step < warmup ? 0 : static_cast<double>(step - warmup) / std::max(1, steps - warmup);
  return peak * (step < warmup ? (step + 1.0) / warmup : 0.1 + 0.45 * (1 + std::cos(M_PI * progress)));
}

}  // namespace attnscope::train
