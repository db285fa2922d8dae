#include "core/models/blocks/norms.h"

namespace attnscope::blocks {

at::Tensor layer_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, double eps) {
  const auto dtype = x.scalar_type();
  at::Tensor y = at::layer_norm(x.to(at::kFloat), {x.size(-1)}, weight.to(at::kFloat),
                                bias.defined() ? bias.to(at::kFloat) : at::Tensor(), eps);
  return y.to(dtype);
}

at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps) {
  const auto dtype = x.scalar_type();
  at::Tensor xf = x.to(at::kFloat);
  at::Tensor y = xf * at::rsqrt(xf.pow(2).mean(-1, true) + eps);
  return (weight.defined() ? y * weight.to(at::kFloat) : y).to(dtype);
}

}  // namespace attnscope::blocks
