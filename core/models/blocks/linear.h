#pragma once
// A dense layer as the checkpoint stores it ([out, in], like nn.Linear) and
// activations by their config names.
#include <ATen/ATen.h>

#include <string>

#include "core/models/weights.h"

namespace attnscope::blocks {

struct Linear {
  at::Tensor weight;  // [out, in]
  at::Tensor bias;    // [out] or undefined
  at::Tensor operator()(const at::Tensor& x) const { return at::linear(x, weight, bias); }
};

// The checkpoint's `<name>.weight` ([out, in], shape checked) and `<name>.bias` when `bias`.
Linear read_linear(const Weights& w, const std::string& name, int64_t in, int64_t out, bool bias);

// "gelu" (erf), "gelu_new" / "gelu_pytorch_tanh" / "gelu_fast" (tanh), "silu", "relu"
// (config readers refuse other names: core/models/config/transformer_configs.h).
at::Tensor activation(const at::Tensor& x, const std::string& name);

}  // namespace attnscope::blocks
