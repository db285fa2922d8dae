#include "core/session/blas_threads.h"

#include <dlfcn.h>

#include <algorithm>
#include <mutex>

#include "core/util/parallel.h"

namespace attnscope::session {
namespace {

// OpenBLAS's thread controls, looked up at run time: libblas.so.3 is
// whichever BLAS Debian's alternatives chose, and only OpenBLAS has them.
struct OpenBlasThreads {
  using Get = int (*)();
  using Set = void (*)(int);
  Get get = reinterpret_cast<Get>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  Set set = reinterpret_cast<Set>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  bool present() const { return get && set; }
};

const OpenBlasThreads& openblas() {
  static const OpenBlasThreads controls;
  return controls;
}

// Scopes may nest or overlap on several threads: the first sets one thread,
// the last gives back what was there before.
std::mutex scopes_mutex;
int open_scopes = 0;
int threads_before = 0;

}  // namespace

BlasOnCallingThread::BlasOnCallingThread() {
  if (!openblas().present()) return;
  const std::lock_guard<std::mutex> lock(scopes_mutex);
  if (open_scopes++ == 0) {
    threads_before = openblas().get();
    openblas().set(1);
  }
}

BlasOnCallingThread::~BlasOnCallingThread() {
  if (!openblas().present()) return;
  const std::lock_guard<std::mutex> lock(scopes_mutex);
  if (--open_scopes == 0) openblas().set(threads_before);
}

bool heads_fill_the_cores(int64_t heads) {
  return heads >= machine_cores();
}

void over_heads(int64_t heads, const std::function<void(int64_t begin, int64_t end)>& body) {
  if (!heads_fill_the_cores(heads)) return body(0, heads);
  const BlasOnCallingThread blas_on_heads_threads;
  parallel_for(heads, 1, body);
}

}  // namespace attnscope::session
