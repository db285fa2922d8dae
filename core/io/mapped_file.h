#pragma once
// A read-only memory map of a whole file (RAII). Checkpoints are read through
// it so that weights are copied once, straight into the run dtype.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "core/util/atomic_output.h"

namespace attnscope::io {

class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path);  // throws attnscope::Error
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  files::InputGuard guard_;  // while mapped, no output of this process may replace the file
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace attnscope::io
