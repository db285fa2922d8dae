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
// LibTorch defaults to one intra-op thread here: use every core.
void use_all_cores();
// "float32" | "float16" | "bfloat16" -> ATen type; throws on anything else.
at::ScalarType parse_run_dtype(const std::string& name);
std::string run_dtype_name(at::ScalarType type);

}  // namespace attnscope
