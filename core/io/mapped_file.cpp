#include "core/io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/util/error.h"
#include "core/util/input_file.h"

namespace attnscope::io {

MappedFile::MappedFile(const std::filesystem::path& path) : path_(path), guard_(path) {
  const files::Fd fd = files::open_regular_file(path);  // never blocks on a FIFO
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail_file(path, std::string("cannot read: ") + std::strerror(errno));
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (p == MAP_FAILED) fail_file(path, std::string("cannot map into memory: ") + std::strerror(errno));
    data_ = static_cast<const uint8_t*>(p);
  }
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace attnscope::io
