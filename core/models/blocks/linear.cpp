#include "core/models/blocks/linear.h"

#include "core/util/error.h"

namespace attnscope::blocks {

at::Tensor dense(const at::Tensor& x, const at::Tensor& weight, const at::Tensor& bias) {
  if (weight.scalar_type() == x.scalar_type()) return at::linear(x, weight, bias);
  return at::linear(x, weight.to(x.scalar_type()), bias);
}

Linear read_linear(const Weights& w, const std::string& name, int64_t in, int64_t out, bool bias) {
  return {w.get_matrix(name + ".weight", {out, in}), bias ? w.get(name + ".bias", {out}) : at::Tensor()};
}

at::Tensor activation(const at::Tensor& x, const std::string& name) {
  if (name == "gelu") return at::gelu(x);
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return at::gelu(x, "tanh");
  if (name == "silu" || name == "swish") return at::silu(x);
  if (name == "relu") return at::relu(x);
  throw Error("unknown activation '" + name + "'");
}

}  // namespace attnscope::blocks
