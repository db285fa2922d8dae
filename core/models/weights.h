#pragma once
// Checkpoint tensors as ATen tensors in the run dtype and on the run device.
// Each weight is copied once out of the memory map (converted on the way);
// unaligned data (writers that do not pad the header) is copied first.
#include <ATen/ATen.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "core/io/checkpoint.h"

namespace attnscope {

struct LoadOptions {
  at::Device device = at::kCPU;
  at::ScalarType dtype = at::kFloat;
};

// A tensor of the map's bytes, converted to `dtype`; never aliases the map.
at::Tensor tensor_from_view(const io::TensorView& view, at::ScalarType dtype);
at::ScalarType to_scalar_type(io::DType dtype);  // throws for dtypes ATen lacks

class Weights {
 public:
  Weights(const io::Checkpoint& checkpoint, const LoadOptions& options);

  bool has(const std::string& name) const { return checkpoint_->has(name); }
  // The tensor, checked against `shape` when given (errors name file, tensor, shapes).
  at::Tensor get(const std::string& name, std::vector<int64_t> shape = {}) const;
  // The first name present (checkpoints spell prefixes differently).
  at::Tensor get_any(std::initializer_list<std::string> names, std::vector<int64_t> shape = {}) const;
  std::optional<at::Tensor> get_optional(const std::string& name, std::vector<int64_t> shape = {}) const;
  // First prefix under which `suffix` exists, e.g. {"transformer.", ""} + "wte.weight".
  std::string find_prefix(std::initializer_list<std::string> prefixes, const std::string& suffix) const;

  const io::Checkpoint& checkpoint() const { return *checkpoint_; }
  const LoadOptions& options() const { return options_; }

 private:
  const io::Checkpoint* checkpoint_;
  LoadOptions options_;
};

}  // namespace attnscope
