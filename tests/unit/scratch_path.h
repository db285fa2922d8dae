#pragma once
// A fresh path under the temp folder, unique in this process, removed (with
// anything written there) when the test ends. Not created: tests of output
// folders need it absent.
#include <unistd.h>

#include <filesystem>
#include <string>

namespace attnscope::test_support {

struct ScratchPath {
  explicit ScratchPath(const std::string& prefix = "attnscope-test")
      : path(std::filesystem::temp_directory_path() /
             (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++made()))) {
    std::filesystem::remove_all(path);
  }
  ~ScratchPath() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  ScratchPath(const ScratchPath&) = delete;
  ScratchPath& operator=(const ScratchPath&) = delete;
  std::filesystem::path path;

 private:
  static int& made() {
    static int count = 0;
    return count;
  }
};

}  // namespace attnscope::test_support
