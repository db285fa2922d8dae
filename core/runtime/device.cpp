#include "core/runtime/device.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>

#include <cstdlib>
#include <thread>

#include "core/util/error.h"

namespace attnscope {

at::Device choose_device(const std::string& spec) {
  const bool cuda = at::hasCUDA();
  if (spec == "auto") return cuda ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
  if (spec == "cpu") return at::kCPU;
  if (spec.rfind("cuda", 0) == 0) {
    if (!cuda)
      throw Error("--device " + spec + ": this AttnScope was built with a LibTorch without CUDA, "
                  "or no GPU is present (use --device cpu or auto)");
    try {
      return at::Device(spec);
    } catch (const std::exception&) {
      throw Error("--device " + spec + ": not a device name (use auto, cpu, cuda or cuda:N)");
    }
  }
  throw Error("--device " + spec + ": unknown device (use auto, cpu, cuda or cuda:N)");
}

std::string device_description(const at::Device& device) {
  if (device.is_cpu()) return "cpu (" + std::to_string(std::max(1u, std::thread::hardware_concurrency())) + " cores)";
  return device.str();
}

void configure_cpu_threads() {
  int threads = 1;
  if (const char* env = std::getenv("ATTNSCOPE_THREADS"); env && std::atoi(env) > 0) threads = std::atoi(env);
  at::set_num_threads(threads);
}

at::ScalarType parse_run_dtype(const std::string& name) {
  if (name == "float32" || name == "fp32" || name == "f32") return at::kFloat;
  if (name == "float16" || name == "fp16" || name == "f16") return at::kHalf;
  if (name == "bfloat16" || name == "bf16") return at::kBFloat16;
  throw Error("--dtype " + name + ": unknown (use float32, float16 or bfloat16)");
}

std::string run_dtype_name(at::ScalarType type) {
  switch (type) {
    case at::kFloat: return "float32";
    case at::kHalf: return "float16";
    case at::kBFloat16: return "bfloat16";
    case at::kDouble: return "float64";
    default: return "other";
  }
}

}  // namespace attnscope
