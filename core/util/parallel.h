#pragma once
// Runs one work loop on several threads (the caller's among them) and
// rethrows, after every thread has stopped, the first exception any of
// them raised: an out-of-memory in a worker becomes the caller's error
// instead of std::terminate. A thread that cannot be started just means
// fewer threads.
#include <functional>

namespace attnscope {

void run_in_parallel(int threads, const std::function<void()>& work);

}  // namespace attnscope
