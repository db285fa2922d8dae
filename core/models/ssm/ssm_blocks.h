#pragma once
// Pieces both Mamba generations share: the causal depthwise convolution and
// the gated RMSNorm of Mamba-2.
#include <ATen/ATen.h>

namespace attnscope::ssm {

// x: [B, L, C]; weight [C, 1, K]; bias [C] or undefined. Output [B, L, C].
at::Tensor causal_conv(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias);
// y * silu(z), then RMSNorm over each of `groups` contiguous channel groups
// (norm_before_gate false, as Mamba-2 checkpoints use); float32 math.
at::Tensor gated_rms_norm(const at::Tensor& y, const at::Tensor& z, const at::Tensor& weight, int64_t groups,
                          double eps, bool norm_before_gate);

}  // namespace attnscope::ssm
