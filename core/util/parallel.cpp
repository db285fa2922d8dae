#include "core/util/parallel.h"

#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace attnscope {

void run_in_parallel(int threads, const std::function<void()>& work) {
  std::mutex mutex;
  std::exception_ptr first;
  auto guarded = [&] {
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

}  // namespace attnscope
