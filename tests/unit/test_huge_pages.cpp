// Large scratch and map buffers are advised for transparent huge pages before
// they are first written (core/util/huge_pages.h): their contents are those of
// plain vectors, and where the kernel has transparent huge pages the mapping
// holding a large one is marked for them (VmFlags "hg" in /proc/self/smaps).
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/util/huge_pages.h"

using namespace attnscope;

namespace {
// The VmFlags line of the mapping that holds `p`, or "" when none is found.
std::string vm_flags_of(const void* p) {
  std::ifstream smaps("/proc/self/smaps");
  const auto address = reinterpret_cast<uintptr_t>(p);
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= address && address < hi;
      continue;
    }
    if (inside && line.rfind("VmFlags:", 0) == 0) return line;
  }
  return "";
}
}  // namespace

TEST(HugePages, VectorsHoldWhatPlainVectorsHold) {
  const auto zeros = huge_page_vector<float>(size_t(3) << 20);
  ASSERT_EQ(zeros.size(), size_t(3) << 20);
  for (size_t k = 0; k < zeros.size(); k += 4099) ASSERT_EQ(zeros[k], 0.f);
  std::vector<double> grown = {1, 2, 3};
  resize_in_huge_pages(grown, size_t(2) << 20);  // grows: new memory, old contents kept
  ASSERT_EQ(grown.size(), size_t(2) << 20);
  EXPECT_EQ(grown[0], 1);
  EXPECT_EQ(grown[2], 3);
  EXPECT_EQ(grown.back(), 0);
  resize_in_huge_pages(grown, 2);  // shrinks in place
  EXPECT_EQ(grown.size(), 2u);
  EXPECT_EQ(grown[1], 2);
}

TEST(HugePages, LargeBuffersAreAdvised) {
  if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage/enabled"))
    GTEST_SKIP() << "this kernel has no transparent huge pages";
  const auto large = huge_page_vector<float>(size_t(16) << 20);  // 64 MB: malloc maps it on its own
  const std::string flags = vm_flags_of(large.data() + large.size() / 2);
  ASSERT_FALSE(flags.empty()) << "no mapping found for the buffer";
  EXPECT_NE(flags.find(" hg"), std::string::npos) << flags;
  std::vector<float> scratch;
  resize_in_huge_pages(scratch, size_t(16) << 20);
  EXPECT_NE(vm_flags_of(scratch.data() + scratch.size() / 2).find(" hg"), std::string::npos);
}
