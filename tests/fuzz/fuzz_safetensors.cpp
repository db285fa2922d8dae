// libFuzzer target: the safetensors header parser must reject any byte string
// with attnscope::Error, never crash, and accept only self-consistent headers.
#include <cstddef>
#include <cstdint>

#include "core/io/safetensors.h"
#include "core/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto header = attnscope::io::parse_safetensors_header(data, size, "fuzz.safetensors");
    // Accepted: every tensor must lie inside the data section.
    for (const auto& t : header.tensors)
      if (header.data_start + t.end > size) __builtin_trap();
  } catch (const attnscope::Error&) {
  }
  return 0;
}
