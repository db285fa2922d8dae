#include "core/io/dtype.h"

#include <array>
#include <utility>

namespace attnscope::io {
namespace {
struct DTypeEntry {
  DType dtype;
  const char* name;
  size_t size;
};
constexpr std::array<DTypeEntry, 10> kDTypes{{{DType::F64, "F64", 8},
                                              {DType::F32, "F32", 4},
                                              {DType::F16, "F16", 2},
                                              {DType::BF16, "BF16", 2},
                                              {DType::I64, "I64", 8},
                                              {DType::I32, "I32", 4},
                                              {DType::I16, "I16", 2},
                                              {DType::I8, "I8", 1},
                                              {DType::U8, "U8", 1},
                                              {DType::BOOL, "BOOL", 1}}};
}  // namespace

std::optional<DType> parse_dtype(std::string_view name) {
  for (const auto& e : kDTypes)
    if (name == e.name) return e.dtype;
  return std::nullopt;
}

std::string dtype_name(DType dtype) {
  for (const auto& e : kDTypes)
    if (e.dtype == dtype) return e.name;
  return "?";
}

size_t dtype_size(DType dtype) {
  for (const auto& e : kDTypes)
    if (e.dtype == dtype) return e.size;
  return 0;
}

}  // namespace attnscope::io
