// parallel_for: every index once, loops inside a loop's body on the body's
// own thread, a worker's exception rethrown to the caller; machine_cores is
// the system's count, asked once.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/util/parallel.h"

namespace {

using attnscope::machine_cores;
using attnscope::parallel_for;

TEST(ParallelLoops, MachineCoresIsTheSystemsCount) {
  EXPECT_EQ(machine_cores(), static_cast<int64_t>(std::max(1u, std::thread::hardware_concurrency())));
  EXPECT_EQ(machine_cores(), machine_cores());
}

TEST(ParallelLoops, EveryIndexOnceAndInnerLoopsStayOnTheirBodysThread) {
  const int64_t outer = 64, inner = 1000;
  std::vector<std::atomic<int>> visits(static_cast<size_t>(outer * inner));
  std::atomic<int> inner_on_other_thread{0};
  parallel_for(outer, 1, [&](int64_t begin, int64_t end) {
    const auto body_thread = std::this_thread::get_id();
    for (int64_t o = begin; o < end; ++o)
      parallel_for(inner, 1, [&](int64_t b, int64_t e) {
        if (std::this_thread::get_id() != body_thread) ++inner_on_other_thread;
        for (int64_t i = b; i < e; ++i) ++visits[static_cast<size_t>(o * inner + i)];
      });
  });
  EXPECT_EQ(inner_on_other_thread.load(), 0) << "a loop inside a loop's body started threads of its own";
  for (size_t i = 0; i < visits.size(); ++i) ASSERT_EQ(visits[i].load(), 1) << "index " << i;
}

TEST(ParallelLoops, AWorkersExceptionReachesTheCaller) {
  EXPECT_THROW(parallel_for(1000, 1,
                            [](int64_t begin, int64_t end) {
                              if (begin <= 999 && 999 < end) throw std::runtime_error("the last piece failed");
                            }),
               std::runtime_error);
}

}  // namespace
