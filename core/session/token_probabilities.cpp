#include "core/session/token_probabilities.h"

#include <algorithm>
#include <cmath>

namespace attnscope::session {
namespace {
double log_sum_exp(const std::vector<float>& logits) {
  const double top = *std::max_element(logits.begin(), logits.end());
  double sum = 0;
  for (float v : logits) sum += std::exp(double(v) - top);
  return top + std::log(sum);
}
}  // namespace

std::optional<double> log_probability(const std::vector<float>& logits, int64_t id) {
  if (id < 0 || id >= static_cast<int64_t>(logits.size())) return std::nullopt;
  return double(logits[id]) - log_sum_exp(logits);
}

std::vector<float> probabilities(const std::vector<float>& logits) {
  if (logits.empty()) return {};
  const double norm = log_sum_exp(logits);
  std::vector<float> out(logits.size());
  for (size_t k = 0; k < logits.size(); ++k) out[k] = static_cast<float>(std::exp(double(logits[k]) - norm));
  return out;
}

}  // namespace attnscope::session
