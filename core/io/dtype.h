#pragma once
// Element types a safetensors file can hold, with their names and sizes.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace attnscope::io {

enum class DType { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

std::optional<DType> parse_dtype(std::string_view name);  // "F32" -> DType::F32
std::string dtype_name(DType dtype);
size_t dtype_size(DType dtype);

}  // namespace attnscope::io
