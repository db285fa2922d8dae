#include "core/models/blocks/linear.h"

#include "core/util/error.h"

namespace attnscope::blocks {

at::Tensor activation(const at::Tensor& x, const std::string& name) {
  if (name == "gelu") return at::gelu(x);
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return at::gelu(x, "tanh");
  if (name == "silu" || name == "swish") return at::silu(x);
  if (name == "relu") return at::relu(x);
  throw Error("unknown activation '" + name + "'");
}

}  // namespace attnscope::blocks
