#include "machine_limits.h"

#include "core/runtime/large_block_allocator.h"
#include "core/runtime/device.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

namespace attnscope::bench {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void set_threads_to_cores() {  // the app's own policies
  attnscope::use_large_block_allocator();
  attnscope::configure_cpu_threads();
}

double matmul_gflops(int n) {
  at::Tensor a = at::randn({n, n}), b = at::randn({n, n});
  at::matmul(a, b);  // warm-up
  double best = 1e30;
  for (int i = 0; i < 3; ++i) {
    double t0 = now_seconds();
    at::Tensor c = at::matmul(a, b);
    best = std::min(best, now_seconds() - t0);
  }
  return 2.0 * n * double(n) * n / best / 1e9;
}

double memory_bandwidth_gbs(size_t bytes) {
  std::vector<char> src(bytes, 1), dst(bytes, 0);
  double best = 1e30;
  for (int i = 0; i < 3; ++i) {
    double t0 = now_seconds();
    std::memcpy(dst.data(), src.data(), bytes);
    best = std::min(best, now_seconds() - t0);
  }
  volatile char sink = dst[bytes / 2];
  (void)sink;
  return 2.0 * bytes / best / 1e9;
}

double disk_write_mbs(const std::filesystem::path& dir, size_t bytes) {
  const auto path = dir / "attnscope-bench-diskwrite.tmp";
  std::vector<char> block(size_t(8) << 20, 7);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 0;
  double t0 = now_seconds();
  for (size_t done = 0; done < bytes; done += block.size())
    if (::write(fd, block.data(), block.size()) < 0) break;
  ::fsync(fd);
  double dt = now_seconds() - t0;
  ::close(fd);
  std::filesystem::remove(path);
  return bytes / dt / 1e6;
}

namespace {
// A "Vm...:  1234 kB" line of /proc/self/status, in MB.
double status_field_mb(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(status, line))
    if (line.rfind(prefix, 0) == 0) return std::stod(line.substr(prefix.size())) / 1024.0;
  rusage usage{};  // no procfs: the lifetime peak is the best there is
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;
}
}  // namespace

double peak_rss_mb() { return status_field_mb("VmHWM"); }
double current_rss_mb() { return status_field_mb("VmRSS"); }

void reset_peak_rss() {
  std::ofstream clear_refs("/proc/self/clear_refs");
  clear_refs << "5";
}

void print_header(const std::string& title) {
  std::printf("\n== %s ==\n%-44s %14s %-8s %10s  %s\n", title.c_str(), "measure", "value", "unit",
              "ratio", "goal");
}

void print_row(const std::string& name, double value, const std::string& unit, double ratio,
               const std::string& goal) {
  if (ratio >= 0)
    std::printf("%-44s %14.3f %-8s %10.3f  %s\n", name.c_str(), value, unit.c_str(), ratio, goal.c_str());
  else
    std::printf("%-44s %14.3f %-8s %10s  %s\n", name.c_str(), value, unit.c_str(), "", goal.c_str());
  std::fflush(stdout);
}

}  // namespace attnscope::bench
