#include "core/util/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace attnscope {
namespace {
// Set on every thread while it runs a parallel loop's body: a loop inside
// one (a head's rows inside a loop over heads) runs on its own thread
// instead of starting threads of its own.
thread_local bool in_parallel_loop = false;

// Marks this thread as in a loop's body for its lifetime, however the body ends.
struct InParallelLoop {
  const bool outer = in_parallel_loop;
  InParallelLoop() { in_parallel_loop = true; }
  ~InParallelLoop() { in_parallel_loop = outer; }
};
}  // namespace

int64_t machine_cores() {
  static const int64_t cores = std::max(1u, std::thread::hardware_concurrency());
  return cores;
}

void run_in_parallel(int threads, const std::function<void()>& work) {
  std::mutex mutex;
  std::exception_ptr first;
  auto guarded = [&] {
    const InParallelLoop mark;
    try {
      work();
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!first) first = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) {
    try {
      pool.emplace_back(guarded);
    } catch (const std::exception&) {
      break;  // no more threads: the others share the work
    }
  }
  guarded();
  for (auto& t : pool) t.join();
  if (first) std::rethrow_exception(first);
}

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t begin, int64_t end)>& body) {
  if (in_parallel_loop) return body(0, n);
  const int64_t cores = machine_cores();
  const int64_t pieces = std::min(cores * 4, std::max<int64_t>(1, n / std::max<int64_t>(1, grain)));
  if (pieces <= 1) return body(0, n);
  const int64_t per = (n + pieces - 1) / pieces;
  std::atomic<int64_t> next{0};
  run_in_parallel(static_cast<int>(std::min(cores, pieces)), [&] {
    for (int64_t begin; (begin = next.fetch_add(per)) < n;) body(begin, std::min(n, begin + per));
  });
}

}  // namespace attnscope
