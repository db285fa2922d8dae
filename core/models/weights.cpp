#include "core/models/weights.h"

#include <cstring>
#include <sstream>

#include "core/util/error.h"

namespace attnscope {
namespace {
std::string shape_string(at::IntArrayRef shape) {
  std::ostringstream s;
  s << "[";
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << "]";
  return s.str();
}
}  // namespace

at::ScalarType to_scalar_type(io::DType dtype) {
  switch (dtype) {
    case io::DType::F64: return at::kDouble;
    case io::DType::F32: return at::kFloat;
    case io::DType::F16: return at::kHalf;
    case io::DType::BF16: return at::kBFloat16;
    case io::DType::I64: return at::kLong;
    case io::DType::I32: return at::kInt;
    case io::DType::I16: return at::kShort;
    case io::DType::I8: return at::kChar;
    case io::DType::U8: return at::kByte;
    case io::DType::BOOL: return at::kBool;
  }
  throw Error("unsupported dtype");
}

at::Tensor tensor_from_view(const io::TensorView& view, at::ScalarType dtype) {
  const auto source_type = to_scalar_type(view.entry->dtype);
  const auto elem = static_cast<uintptr_t>(io::dtype_size(view.entry->dtype));
  const auto options = at::TensorOptions().dtype(source_type);
  const bool aligned = reinterpret_cast<uintptr_t>(view.data) % elem == 0;
  if (!aligned) {
    // ATen kernels assume element alignment: copy the bytes out first.
    at::Tensor copy = at::empty(view.entry->shape, options);
    if (view.nbytes) std::memcpy(copy.data_ptr(), view.data, view.nbytes);
    return copy.to(dtype);
  }
  at::Tensor alias = at::from_blob(const_cast<uint8_t*>(view.data), view.entry->shape, options);
  // .to() copies when converting; clone() when the dtype already matches.
  return source_type == dtype ? alias.clone() : alias.to(dtype);
}

Weights::Weights(const io::Checkpoint& checkpoint, const LoadOptions& options)
    : checkpoint_(&checkpoint), options_(options) {}

at::Tensor Weights::get(const std::string& name, std::vector<int64_t> shape) const {
  const io::TensorView view = checkpoint_->tensor(name);
  if (!shape.empty() && view.entry->shape != shape)
    fail_file(*view.file, "tensor '" + name + "' has shape " + shape_string(view.entry->shape) +
                              " but the config implies " + shape_string(shape));
  const bool integral = !at::isFloatingType(to_scalar_type(view.entry->dtype));
  at::Tensor t = tensor_from_view(view, integral ? to_scalar_type(view.entry->dtype) : options_.dtype);
  return options_.device.is_cpu() ? t : t.to(options_.device);
}

at::Tensor Weights::get_any(std::initializer_list<std::string> names, std::vector<int64_t> shape) const {
  for (const auto& n : names)
    if (has(n)) return get(n, shape);
  std::string all;
  for (const auto& n : names) all += (all.empty() ? "'" : " or '") + n + "'";
  fail_file(checkpoint_->dir(), "checkpoint has no tensor " + all);
}

std::optional<at::Tensor> Weights::get_optional(const std::string& name, std::vector<int64_t> shape) const {
  if (!has(name)) return std::nullopt;
  return get(name, std::move(shape));
}

std::string Weights::find_prefix(std::initializer_list<std::string> prefixes, const std::string& suffix) const {
  for (const auto& p : prefixes)
    if (has(p + suffix)) return p;
  fail_file(checkpoint_->dir(), "checkpoint has no tensor '" + suffix + "' under any known prefix");
}

}  // namespace attnscope
