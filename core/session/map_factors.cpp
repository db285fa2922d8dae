#include "core/session/map_factors.h"

#include <cmath>

namespace attnscope::session {

std::string factor_form_name(FactorForm form) { return form == FactorForm::Softmax ? "softmax" : "ssd"; }

bool MapFactors::consistent() const {
  if (heads <= 0 || groups <= 0 || heads % groups != 0 || length <= 0 || dim <= 0) return false;
  const auto n = [](int64_t a, int64_t b, int64_t c) { return static_cast<size_t>(a * b * c); };
  if (form == FactorForm::Softmax)
    return left.size() == n(heads, length, dim) && right.size() == n(groups, length, dim) && std::isfinite(scale);
  return left.size() == n(groups, length, dim) && right.size() == n(groups, length, dim) &&
         log_decay_cumsum.size() == n(heads, length, 1) && weight.size() == n(heads, length, 1);
}

}  // namespace attnscope::session
