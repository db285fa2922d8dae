#pragma once
// OpenBLAS runs each matrix product on its own threads, which spin (a
// sched_yield loop) between products. Where our threads already fill the
// cores, each with products of its own (a Mamba-1 session's heads, a head a
// thread), BLAS's threads only take the cores from them: a 1024-token
// mamba-130m session with 48-channel heads took 38 s, 29 s with BLAS on the
// calling threads. While a BlasOnCallingThread lives, OpenBLAS runs every
// product on the thread that asks for it; other BLAS libraries are left as
// they are (their threads, if any, are not ours to set).
namespace attnscope::session {

class BlasOnCallingThread {
 public:
  BlasOnCallingThread();
  ~BlasOnCallingThread();
  BlasOnCallingThread(const BlasOnCallingThread&) = delete;
  BlasOnCallingThread& operator=(const BlasOnCallingThread&) = delete;
};

}  // namespace attnscope::session
