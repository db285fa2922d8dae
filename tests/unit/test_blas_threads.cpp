// BlasOnCallingThread: OpenBLAS on one thread while a scope lives, and its
// own count given back after the last of nested or overlapping scopes.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "core/session/blas_threads.h"

namespace {

using attnscope::session::BlasOnCallingThread;

int (*openblas_threads())() {
  return reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
}

TEST(BlasOnCallingThread, OneThreadWhileAnyScopeLivesThenTheCountBefore) {
  const auto threads = openblas_threads();
  if (!threads) GTEST_SKIP() << "the BLAS here is not OpenBLAS: the scope leaves it as it is";
  const int before = threads();
  {
    const BlasOnCallingThread outer;
    EXPECT_EQ(threads(), 1);
    {
      const BlasOnCallingThread inner;
      EXPECT_EQ(threads(), 1);
    }
    EXPECT_EQ(threads(), 1) << "the inner scope's end gave the threads back while the outer one lives";
  }
  EXPECT_EQ(threads(), before);
}

TEST(BlasOnCallingThread, ScopesOnSeveralThreadsGiveTheCountBackOnlyAfterTheLast) {
  const auto threads = openblas_threads();
  if (!threads) GTEST_SKIP() << "the BLAS here is not OpenBLAS";
  const int before = threads();
  auto first = std::make_unique<BlasOnCallingThread>();
  int seen_in_other = -1, seen_after_other = -1;
  std::thread other([&] {
    {
      const BlasOnCallingThread scope;
      seen_in_other = threads();
    }
    seen_after_other = threads();
  });
  other.join();
  EXPECT_EQ(seen_in_other, 1);
  EXPECT_EQ(seen_after_other, 1) << "the first scope still lives";
  first.reset();
  EXPECT_EQ(threads(), before);
}

}  // namespace
