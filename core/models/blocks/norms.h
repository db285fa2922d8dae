#pragma once
// Normalisations, computed in float32 whatever the run dtype (bf16/fp16
// variance sums lose too much), returned in the input's dtype.
#include <ATen/ATen.h>

namespace attnscope::blocks {

at::Tensor layer_norm(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias, double eps);
// weight may be undefined: no scale (Falcon-Mamba's weightless norms).
at::Tensor rms_norm(const at::Tensor& x, const at::Tensor& weight, double eps);

// A norm as a layer holds it: LayerNorm (weight, bias) or RMSNorm (weight).
struct Norm {
  enum class Kind { Rms, Layer } kind = Kind::Rms;
  at::Tensor weight, bias;
  double eps = 1e-5;
  at::Tensor operator()(const at::Tensor& x) const {
    return kind == Kind::Rms ? rms_norm(x, weight, eps) : layer_norm(x, weight, bias, eps);
  }
  static Norm rms(at::Tensor weight, double eps) { return {Kind::Rms, std::move(weight), {}, eps}; }
  static Norm layer(at::Tensor weight, at::Tensor bias, double eps) { return {Kind::Layer, std::move(weight), std::move(bias), eps}; }
};

}  // namespace attnscope::blocks
