#pragma once
// Checkpoint tensors as ATen tensors in the run dtype and on the run device.
// Each weight is copied once out of the memory map (converted on the way);
// unaligned data (writers that do not pad the header) is copied first.
#include <ATen/ATen.h>

#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/io/checkpoint.h"

namespace attnscope {
namespace io {
class SafetensorsWriter;
}

// Training (core/train): every tensor a family asks for is recorded here as a
// trainable parameter under its checkpoint name, so the trainer optimises and
// saves exactly what the loader reads. With `initialise`, tensors are not read
// from the checkpoint but created fresh (the family's own shape checks give
// the shapes), so a model is born from config.json alone.
struct ParameterSink {
  bool initialise = false;
  int64_t vocab = 0;  // range of initialised integer tensors (fixed token sequences)
  std::vector<std::pair<std::string, at::Tensor>> named;
  const at::Tensor* find(const std::string& name) const;
  // Writes every recorded tensor (float32, integers as int64) to a
  // safetensors file under its checkpoint name: a loadable model.safetensors.
  void write(const std::filesystem::path& file) const;
};

struct LoadOptions {
  at::Device device = at::kCPU;
  at::ScalarType dtype = at::kFloat;
  std::shared_ptr<ParameterSink> parameters;  // null for inference
};

// Adds `t` to a safetensors file being written: integers as I64, everything else as F32.
void add_tensor(io::SafetensorsWriter& writer, const std::string& name, const at::Tensor& t);

// A tensor of the map's bytes, converted to `dtype`; never aliases the map.
at::Tensor tensor_from_view(const io::TensorView& view, at::ScalarType dtype);
at::ScalarType to_scalar_type(io::DType dtype);  // throws for dtypes ATen lacks

// Whether get_matrix keeps a stored tensor in the map rather than copying it.
bool keeps_stored(const io::TensorEntry& entry, const LoadOptions& options);
// Memory the weights of `checkpoint` take once loaded with `options`: stored
// bytes for matrices kept in the map (they are paged in as they are used),
// the run dtype's size for everything else.
double loaded_weight_bytes(const io::Checkpoint& checkpoint, const LoadOptions& options);

class Weights {
 public:
  Weights(const io::Checkpoint& checkpoint, const LoadOptions& options);

  // When initialising, every optional tensor is wanted (the config decides).
  bool has(const std::string& name) const { return initialising() || checkpoint_->has(name); }
  // A floating-point weight in the run dtype, checked against `shape` when
  // given (errors name file, tensor, shapes, and a dtype that is not F64/F32/F16/BF16).
  at::Tensor get(const std::string& name, std::vector<int64_t> shape = {}) const;
  // Token ids stored in the checkpoint (int64), each checked to lie in [0, vocab).
  at::Tensor get_token_ids(const std::string& name, std::vector<int64_t> shape, int64_t vocab) const;
  // The first name present (checkpoints spell prefixes differently).
  at::Tensor get_any(std::initializer_list<std::string> names, std::vector<int64_t> shape = {}) const;
  std::optional<at::Tensor> get_optional(const std::string& name, std::vector<int64_t> shape = {}) const;
  // A dense or embedding matrix for inference on the CPU is not copied: it
  // aliases the memory map in the dtype it is stored in whenever that is the
  // run dtype or a narrower one (a bf16 checkpoint run in float32 keeps its
  // bf16 bytes, widened one matrix at a time as it is used: blocks::dense).
  // Otherwise, and always for training or another device, as get().
  at::Tensor get_matrix(const std::string& name, std::vector<int64_t> shape) const;
  // First prefix under which `suffix` exists, e.g. {"transformer.", ""} + "wte.weight".
  std::string find_prefix(std::initializer_list<std::string> prefixes, const std::string& suffix) const;

  const io::Checkpoint& checkpoint() const { return *checkpoint_; }
  const LoadOptions& options() const { return options_; }

 private:
  bool initialising() const { return options_.parameters && options_.parameters->initialise; }
  at::Tensor initial_value(const std::string& name, const std::vector<int64_t>& shape) const;
  io::TensorView checked_weight_view(const std::string& name, const std::vector<int64_t>& shape) const;
  const io::Checkpoint* checkpoint_;
  LoadOptions options_;
};

}  // namespace attnscope
