#pragma once
// Runs one work loop on several threads (the caller's among them) and
// rethrows, after every thread has stopped, the first exception any of
// them raised: an out-of-memory in a worker becomes the caller's error
// instead of std::terminate. A thread that cannot be started just means
// fewer threads.
#include <cstdint>
#include <functional>

namespace attnscope {

// The machine's cores, asked of the system once: glibc answers
// hardware_concurrency by opening /sys/devices/system/cpu/online, three
// system calls each time, and kernels ask per head (370,000 times in a
// Mamba-1 session at 256 tokens).
int64_t machine_cores();

void run_in_parallel(int threads, const std::function<void()>& work);

// body(begin, end) over [0, n) in pieces of at least `grain`, on every core;
// inside another parallel loop's body, on the calling thread alone.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t begin, int64_t end)>& body);

}  // namespace attnscope
