#pragma once
// Normalisations, computed in float32 whatever the run dtype (bf16/fp16
// variance sums lose too much), returned in the input's dtype.
#include <ATen/ATen.h>

namespace attnscope::blocks {

at::Tensor layer_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, double eps);
at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps);

}  // namespace attnscope::blocks
