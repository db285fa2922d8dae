#pragma once
// The machine's limits, measured in the same run as each benchmark, so that
// benchmarks print ratios rather than raw times.
#include <cstddef>
#include <filesystem>
#include <string>

namespace attnscope::bench {

double now_seconds();
void set_threads_to_cores();  // the app's thread and allocator policies (core/runtime)

// fp32 GFLOP/s of a large square matmul (best of a few) at the current threads.
double matmul_gflops(int n = 2048);
// GB/s of copying a large buffer (read + write counted).
double memory_bandwidth_gbs(size_t bytes = size_t(512) << 20);
// MB/s of a plain sequential write (+fsync) of `bytes` into `dir`.
double disk_write_mbs(const std::filesystem::path& dir, size_t bytes = size_t(512) << 20);
// Peak resident set size of this process (since start, or since the last
// reset_peak_rss), in MB: VmHWM of /proc/self/status.
double peak_rss_mb();
// Resident set size now, in MB (VmRSS).
double current_rss_mb();
// Sets the peak back to the current RSS (Linux clear_refs 5), so that the
// peak of one phase can be measured apart from the set-up before it.
void reset_peak_rss();

// Prints one table row: name, value, unit, and (when ratio >= 0) the ratio.
void print_row(const std::string& name, double value, const std::string& unit, double ratio = -1,
               const std::string& goal = "");
void print_header(const std::string& title);

}  // namespace attnscope::bench
