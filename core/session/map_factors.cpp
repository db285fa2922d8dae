#include "core/session/map_factors.h"

#include <cmath>

namespace attnscope::session {

std::string factor_form_name(FactorForm form) {
  switch (form) {
    case FactorForm::Softmax: return "softmax";
    case FactorForm::Ssd: return "ssd";
    case FactorForm::Selective: return "selective";
  }
  return "unknown";
}

bool MapFactors::consistent() const {
  if (heads <= 0 || groups <= 0 || heads % groups != 0 || length <= 0 || dim <= 0) return false;
  const auto n = [](int64_t a, int64_t b, int64_t c) { return static_cast<size_t>(a * b * c); };
  if (form == FactorForm::Softmax)
    return left.size() == n(heads, length, dim) && right.size() == n(groups, length, dim) && std::isfinite(scale);
  if (form == FactorForm::Selective)
    return groups == 1 && channels_per_head > 0 && dt_rank > 0 && left.size() == n(1, length, dim) &&
           right.size() == n(1, length, dim) && dt_input.size() == n(length, dt_rank, 1) &&
           dt_weight.size() == n(channels(), dt_rank, 1) && dt_bias.size() == n(channels(), 1, 1) &&
           A.size() == n(channels(), dim, 1);
  return left.size() == n(groups, length, dim) && right.size() == n(groups, length, dim) &&
         log_decay_cumsum.size() == n(heads, length, 1) && weight.size() == n(heads, length, 1);
}

}  // namespace attnscope::session
