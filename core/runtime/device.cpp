#include "core/runtime/device.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>

#include <dlfcn.h>
#include <sched.h>

#include <cstdlib>

#include "core/util/error.h"
#include "core/util/parallel.h"

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
  if (device.is_cpu()) return "cpu (" + std::to_string(machine_cores()) + " cores)";
  return device.str();
}

namespace {
int env_count(const char* name) {
  const char* v = std::getenv(name);
  const int n = v ? std::atoi(v) : 0;
  return n > 0 ? n : 0;
}

// OpenBLAS's thread control, looked up at run time: LibTorch may be linked
// against another BLAS, which then keeps its own defaults.
using SetThreads = void (*)(int);
using GetThreads = int (*)();
SetThreads openblas_set() { return reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")); }
GetThreads openblas_get() { return reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads")); }
}  // namespace

int allocated_cpus() {
  if (const int n = env_count("ATTNSCOPE_THREADS")) return n;
  if (const int n = env_count("SLURM_CPUS_PER_TASK")) return n;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  return static_cast<int>(machine_cores());
}

void configure_cpu_threads() {
  at::set_num_threads(std::max(1, env_count("ATTNSCOPE_THREADS")));
  if (env_count("OPENBLAS_NUM_THREADS") || env_count("OMP_NUM_THREADS")) return;
  const auto set = openblas_set();
  const auto get = openblas_get();
  if (set && get && get() > allocated_cpus()) set(allocated_cpus());
}

std::string compute_description(const at::Device& device) {
  if (!device.is_cpu()) return device_description(device);
  std::string text = "cpu (" + std::to_string(machine_cores()) + " cores";
  if (const auto get = openblas_get()) text += ", " + std::to_string(get()) + " BLAS threads";
  if (at::get_num_threads() > 1) text += ", " + std::to_string(at::get_num_threads()) + " LibTorch threads";
  return text + ")";
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
