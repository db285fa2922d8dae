#include "core/models/weights.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "core/io/safetensors_writer.h"
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

const at::Tensor* ParameterSink::find(const std::string& name) const {
  for (const auto& [n, t] : named)
    if (n == name) return &t;
  return nullptr;
}

void add_tensor(io::SafetensorsWriter& writer, const std::string& name, const at::Tensor& t) {
  const bool ids = t.scalar_type() == at::kLong;
  const at::Tensor c = t.detach().to(at::kCPU).to(ids ? at::kLong : at::kFloat).contiguous();
  writer.add(name, ids ? io::DType::I64 : io::DType::F32, c.sizes().vec(), c.data_ptr(), c.nbytes());
}

void ParameterSink::write(const std::filesystem::path& file) const {
  io::SafetensorsWriter writer;
  writer.set_metadata("format", "pt");
  for (const auto& [name, t] : named) add_tensor(writer, name, t);
  writer.write(file);
}

at::Tensor Weights::get(const std::string& name, std::vector<int64_t> shape) const {
  if (auto* sink = options_.parameters.get()) {
    // Tied weights ask twice for one name: one parameter.
    if (const at::Tensor* known = sink->find(name)) return *known;
    at::Tensor t = sink->initialise ? initial_value(name, shape) : Weights(*checkpoint_, {options_.device, options_.dtype, nullptr}).get(name, shape);
    if (at::isFloatingType(t.scalar_type())) t.requires_grad_(true);
    sink->named.emplace_back(name, t);
    return t;
  }
  at::Tensor t = tensor_from_view(checked_weight_view(name, shape), options_.dtype);
  return options_.device.is_cpu() ? t : t.to(options_.device);
}

io::TensorView Weights::checked_weight_view(const std::string& name, const std::vector<int64_t>& shape) const {
  io::TensorView view = checkpoint_->tensor(name);
  if (!shape.empty() && view.entry->shape != shape)
    fail_file(*view.file, "tensor '" + name + "' has shape " + shape_string(view.entry->shape) +
                              " but the config implies " + shape_string(shape));
  if (!at::isFloatingType(to_scalar_type(view.entry->dtype)))
    fail_file(*view.file, "tensor '" + name + "' is stored as " + io::dtype_name(view.entry->dtype) +
                              "; a weight must be floating point (F32, F16, BF16 or F64)");
  return view;
}

bool keeps_stored(const io::TensorEntry& entry, const LoadOptions& options) {
  if (options.parameters || !options.device.is_cpu() || entry.shape.size() != 2) return false;
  const at::ScalarType stored = to_scalar_type(entry.dtype);
  // The stored dtype itself, or one strictly narrower (bf16 kept for an fp16 run would save nothing and cost a conversion per product).
  return at::isFloatingType(stored) &&
         (stored == options.dtype || at::elementSize(stored) < at::elementSize(options.dtype));
}

at::Tensor Weights::get_matrix(const std::string& name, std::vector<int64_t> shape) const {
  if (options_.parameters) return get(name, std::move(shape));
  const io::TensorView view = checked_weight_view(name, shape);
  const auto stored = to_scalar_type(view.entry->dtype);
  const bool aligned = reinterpret_cast<uintptr_t>(view.data) % at::elementSize(stored) == 0;
  if (!keeps_stored(*view.entry, options_) || !aligned) {
    at::Tensor t = tensor_from_view(view, options_.dtype);
    return options_.device.is_cpu() ? t : t.to(options_.device);
  }
  // The map is read-only (PROT_READ): nothing writes into weights during inference.
  auto owner = view.owner;
  return at::from_blob(const_cast<uint8_t*>(view.data), view.entry->shape, [owner](void*) {},
                       at::TensorOptions().dtype(stored));
}

double loaded_weight_bytes(const io::Checkpoint& checkpoint, const LoadOptions& options) {
  double bytes = 0;
  for (const auto& file : checkpoint.files())
    for (const io::TensorEntry& e : file->tensors()) {
    const at::ScalarType stored = to_scalar_type(e.dtype);
    if (!io::is_parameter(e) || !at::isFloatingType(stored)) continue;
    bytes += static_cast<double>(e.numel()) * at::elementSize(keeps_stored(e, options) ? stored : options.dtype);
    }
  return bytes;
}

at::Tensor Weights::get_token_ids(const std::string& name, std::vector<int64_t> shape, int64_t vocab) const {
  if (auto* sink = options_.parameters.get()) {
    // Recorded like every tensor the family asks for, so train writes it back (never trainable).
    if (const at::Tensor* known = sink->find(name)) return *known;
    at::Tensor t = sink->initialise ? initial_value(name, shape)
                                    : Weights(*checkpoint_, {options_.device, options_.dtype, nullptr}).get_token_ids(name, shape, vocab);
    sink->named.emplace_back(name, t);
    return t;
  }
  const io::TensorView view = checkpoint_->tensor(name);
  if (view.entry->shape != shape)
    fail_file(*view.file, "tensor '" + name + "' has shape " + shape_string(view.entry->shape) +
                              " but the config implies " + shape_string(shape));
  const at::ScalarType type = to_scalar_type(view.entry->dtype);
  if (at::isFloatingType(type) || type == at::kBool)
    fail_file(*view.file, "tensor '" + name + "' holds token ids but is stored as " + io::dtype_name(view.entry->dtype));
  at::Tensor ids = tensor_from_view(view, at::kLong);
  if (ids.numel() && (ids.min().item<int64_t>() < 0 || ids.max().item<int64_t>() >= vocab))
    fail_file(*view.file, "tensor '" + name + "' holds token ids outside the vocabulary (0.." + std::to_string(vocab - 1) + ")");
  return options_.device.is_cpu() ? ids : ids.to(options_.device);
}

at::Tensor Weights::initial_value(const std::string& name, const std::vector<int64_t>& shape) const {
  if (shape.empty()) fail_file(checkpoint_->dir(), "cannot initialise '" + name + "' without a shape");
  auto ends = [&](const std::string& s) { return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0; };
  const auto opts = at::TensorOptions().dtype(options_.dtype).device(options_.device);
  at::Tensor t;
  if (ends("qk_source_ids")) return at::randint(0, std::max<int64_t>(1, options_.parameters->vocab), shape, opts.dtype(at::kLong));
  if (ends("norm.weight") || ends("layernorm.weight") || ends(".D")) t = at::ones(shape, opts);
  else if (ends(".bias") || ends("log_gain")) t = at::zeros(shape, opts);
  else if (ends("A_log")) t = at::empty(shape, opts).uniform_(1, 16).log_();  // A in [-16, -1], as Mamba-2
  else if (ends("dt_bias")) {
    // softplus(dt_bias) log-uniform in [1e-3, 1e-1]: the inverse softplus of dt.
    at::Tensor dt = (at::rand(shape, opts) * (std::log(0.1) - std::log(1e-3)) + std::log(1e-3)).exp_();
    t = dt + at::log(-at::expm1(-dt));
  } else if (ends("conv1d.weight")) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(shape.back()));
    t = at::empty(shape, opts).uniform_(-bound, bound);
  } else if (ends("qk_source")) t = at::randn(shape, opts);
  else t = at::randn(shape, opts) * 0.02;  // dense and embedding weights, GPT-2's scale
  return t;
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
