#pragma once
// OpenBLAS runs each matrix product on its own threads, which spin (a
// sched_yield loop) between products. Where our threads already fill the
// cores, each with products of its own (a session's heads, a head a
// thread), BLAS's threads only take the cores from them: a 2048-token
// mamba-130m session with 48-channel heads took 51.9 s, 37.8 s with BLAS on
// the calling threads. While a BlasOnCallingThread lives, OpenBLAS runs every
// product on the thread that asks for it. The setting is OpenBLAS's own and
// so process-wide: products on other threads meanwhile (the window's, or
// LibTorch's) run on one thread too. Other BLAS libraries are left as they are.
#include <cstdint>
#include <functional>

namespace attnscope::session {

class BlasOnCallingThread {
 public:
  BlasOnCallingThread();
  ~BlasOnCallingThread();
  BlasOnCallingThread(const BlasOnCallingThread&) = delete;
  BlasOnCallingThread& operator=(const BlasOnCallingThread&) = delete;
};

// Whether `heads` computed a thread each keep every core busy. With fewer
// heads than cores, a head's rows and BLAS's threads spread over the cores instead.
bool heads_fill_the_cores(int64_t heads);

// body(begin, end) over heads [0, heads): when they fill the cores, a head a
// thread with BLAS on the heads' threads; otherwise body(0, heads) on the
// calling thread, each head's own loops and BLAS spreading over the cores.
void over_heads(int64_t heads, const std::function<void(int64_t begin, int64_t end)>& body);

}  // namespace attnscope::session
