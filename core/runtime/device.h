#pragma once
// Device choice (--device auto|cpu|cuda[:N]) and intra-op threads.
#include <ATen/ATen.h>

#include <string>

namespace attnscope {

// auto: CUDA when this LibTorch was built with it and a GPU is present.
// Throws attnscope::Error when cuda is asked for and not available.
at::Device choose_device(const std::string& spec);
// "cpu (2 threads)" / "cuda:0 (NVIDIA H100 ...)".
std::string device_description(const at::Device& device);
// One LibTorch intra-op thread unless ATTNSCOPE_THREADS says otherwise.
// Matrix products still use every core (OpenBLAS's own threads); more OpenMP
// threads spin between ops and take those cores from OpenBLAS: on 2 cores,
// GPT-2-small at L = 128 ran at 0.21 of the matmul rate with 2 threads and
// 0.65 with 1 (tests/bench/bench_transformer_forward).
// OpenBLAS's threads are bound to this process's share of the machine: the
// cores it may run on, or a batch job's allocation (SLURM_CPUS_PER_TASK)
// where the scheduler does not pin CPUs, unless OPENBLAS_NUM_THREADS or
// OMP_NUM_THREADS already chose.
void configure_cpu_threads();
// The cores this process may use: ATTNSCOPE_THREADS, else
// SLURM_CPUS_PER_TASK, else the CPU affinity mask.
int allocated_cpus();
// "cpu (16 cores, 4 BLAS threads)" / "cuda:0 (...)": what a run says it used.
std::string compute_description(const at::Device& device);
// "float32" | "float16" | "bfloat16" -> ATen type; throws on anything else.
at::ScalarType parse_run_dtype(const std::string& name);
std::string run_dtype_name(at::ScalarType type);

}  // namespace attnscope
