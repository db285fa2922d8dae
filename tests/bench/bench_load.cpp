// Loads a 500 MB safetensors checkpoint through the real loader and compares
// with a plain sequential read of the same file in the same run (both with the
// file in the page cache, so the ratio measures our overhead, not the disk).
#include <ATen/ATen.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/io/checkpoint.h"
#include "core/io/safetensors_writer.h"
#include "core/models/weights.h"
#include "machine_limits.h"

namespace fs = std::filesystem;
using namespace attnscope;

namespace {
double sequential_read_seconds(const fs::path& path) {
  std::vector<char> buffer(size_t(16) << 20);
  int fd = ::open(path.c_str(), O_RDONLY);
  double t0 = bench::now_seconds();
  while (::read(fd, buffer.data(), buffer.size()) > 0) {
  }
  double dt = bench::now_seconds() - t0;
  ::close(fd);
  return dt;
}

double load_seconds(const fs::path& dir, at::ScalarType dtype) {
  double t0 = bench::now_seconds();
  auto ck = io::Checkpoint::open(dir);
  Weights weights(ck, LoadOptions{at::kCPU, dtype, nullptr});
  std::vector<at::Tensor> all;
  for (const auto& name : ck.tensor_names()) all.push_back(weights.get(name));
  return bench::now_seconds() - t0;
}
}  // namespace

int main() {
  bench::set_threads_to_cores();
  const fs::path dir = fs::temp_directory_path() / "attnscope-bench-load";
  fs::create_directories(dir);
  std::ofstream(dir / "config.json") << R"({"model_type": "gpt2"})";
  {
    // 500 MB: 50 tensors of 10 MB of float32, like a model's weight matrices.
    io::SafetensorsWriter w;
    at::Tensor block = at::randn({2500, 1000});
    for (int i = 0; i < 50; ++i)
      w.add("layer." + std::to_string(i) + ".weight", io::DType::F32, {2500, 1000}, block.data_ptr(),
            block.numel() * 4);
    w.write(dir / "model.safetensors");
  }
  const fs::path file = dir / "model.safetensors";
  const double mb = fs::file_size(file) / 1e6;
  sequential_read_seconds(file);  // bring the file into the page cache
  // The first load faults in fresh memory; later ones may reuse freed blocks
  // (core/runtime/large_block_allocator), as a second model opened in one session would.
  const double first_f32 = load_seconds(dir, at::kFloat);
  double read_s = 1e9, load_f32 = 1e9, load_bf16 = 1e9;
  for (int i = 0; i < 3; ++i) {
    read_s = std::min(read_s, sequential_read_seconds(file));
    load_f32 = std::min(load_f32, load_seconds(dir, at::kFloat));
    load_bf16 = std::min(load_bf16, load_seconds(dir, at::kBFloat16));
  }
  bench::print_header("checkpoint load, " + std::to_string(int(mb)) + " MB safetensors (page cache warm)");
  bench::print_row("memory bandwidth (memcpy)", bench::memory_bandwidth_gbs(), "GB/s");
  bench::print_row("plain sequential read()", mb / read_s, "MB/s", 1.0);
  bench::print_row("first load, float32 (ratio = time / read)", first_f32 * 1e3, "ms", first_f32 / read_s);
  bench::print_row("load again, float32", load_f32 * 1e3, "ms", load_f32 / read_s, "close to 1");
  bench::print_row("load, converting to bfloat16", load_bf16 * 1e3, "ms", load_bf16 / read_s);
  bench::print_row("peak RSS", bench::peak_rss_mb(), "MB");
  fs::remove_all(dir);
  return 0;
}
