#include "core/models/ssm/ssm_blocks.h"

namespace attnscope::ssm {

at::Tensor causal_conv(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  const int64_t L = x.size(1), K = weight.size(-1);
  at::Tensor out = at::conv1d(x.transpose(1, 2), weight, bias, 1, K - 1, 1, x.size(2));
  return out.narrow(-1, 0, L).transpose(1, 2);
}

at::Tensor gated_rms_norm(const at::Tensor& y, const at::Tensor& z, const at::Tensor& weight, int64_t groups,
                          double eps, bool norm_before_gate) {
  const auto dtype = y.scalar_type();
  at::Tensor h = y.to(at::kFloat);
  const at::Tensor gate = at::silu(z.to(at::kFloat));
  if (!norm_before_gate) h = h * gate;
  auto shape = h.sizes().vec();
  at::Tensor g = h.view({shape[0], shape[1], groups, shape[2] / groups});
  g = g * at::rsqrt(g.pow(2).mean(-1, true) + eps);
  h = g.view(shape) * weight.to(at::kFloat);
  if (norm_before_gate) h = h * gate;
  return h.to(dtype);
}

}  // namespace attnscope::ssm
