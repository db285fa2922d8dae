#pragma once
// A dense layer as the checkpoint stores it ([out, in], like nn.Linear) and
// activations by their config names.
#include <ATen/ATen.h>

#include <string>

#include "core/models/weights.h"

namespace attnscope::blocks {

// x W^T + b in x's dtype. A weight kept in the checkpoint's narrower dtype
// (Weights::get_matrix) is widened for this product only, so a bf16 model
// run in float32 holds one widened matrix at a time, not all of them.
at::Tensor dense(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias = {});

struct Linear {
  at::Tensor weight;  // [out, in]; may be stored narrower than the run dtype
  at::Tensor bias;    // [out] or undefined; in the run dtype
  at::Tensor operator()(const at::Tensor& x) const { return dense(x, weight, bias); }
};

// The checkpoint's `<name>.weight` ([out, in], shape checked; Weights::get_matrix)
// and `<name>.bias` when `bias`.
Linear read_linear(const Weights& w, const std::string& name, int64_t in, int64_t out, bool bias);

// "gelu" (erf), "gelu_new" / "gelu_pytorch_tanh" / "gelu_fast" (tanh), "silu", "relu"
// (config readers refuse other names: core/models/config/transformer_configs.h).
at::Tensor activation(const at::Tensor& x, const std::string& name);

}  // namespace attnscope::blocks
