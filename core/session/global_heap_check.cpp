#include "core/session/global_heap_check.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "core/util/error.h"

namespace attnscope::session {
namespace {

// The layout (HDF5 file format spec III.E, 8-byte lengths as AttnScope and
// h5py write): "GCOL", version 1, 3 reserved bytes, collection size; then
// objects: index (2), reference count (2), reserved (4), size (8), data
// padded to 8 bytes. Index 0 is the free space, last.
constexpr size_t kHeader = 16, kObjectHeader = 16, kMinCollection = 4096;

uint64_t read_u64(const unsigned char* p) {
  uint64_t v = 0;
  for (int k = 7; k >= 0; --k) v = v << 8 | p[k];
  return v;
}

bool plausible_collection(const unsigned char* p, size_t left, uint64_t& size) {
  if (left < kHeader || p[4] != 1 || p[5] != 0 || p[6] != 0 || p[7] != 0) return false;
  size = read_u64(p + 8);
  return size >= kMinCollection && size <= left;
}

// Returns the offset (within the collection) of the first object that runs
// past the end, or 0 when all fit.
size_t overflowing_object(const unsigned char* c, uint64_t size) {
  size_t at = kHeader;
  while (at + kObjectHeader <= size) {
    const unsigned index = c[at] | c[at + 1] << 8;
    const uint64_t length = read_u64(c + at + 8);
    if (index == 0) return length <= size - at ? 0 : at;  // free space: to the end
    const uint64_t padded = (length + 7) / 8 * 8;
    if (length > size || padded > size - at - kObjectHeader) return at;
    at += kObjectHeader + padded;
  }
  return 0;
}

}  // namespace

void check_global_heaps(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;  // the open that follows names the problem
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size <= 0) {
    ::close(fd);
    return;
  }
  const size_t bytes = static_cast<size_t>(st.st_size);
  void* map = ::mmap(nullptr, bytes, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return;
  const auto* data = static_cast<const unsigned char*>(map);
  std::string problem;
  for (size_t at = 0; at + kHeader <= bytes && problem.empty();) {
    const void* hit = ::memmem(data + at, bytes - at, "GCOL", 4);
    if (!hit) break;
    const size_t start = static_cast<size_t>(static_cast<const unsigned char*>(hit) - data);
    uint64_t size = 0;
    if (!plausible_collection(data + start, bytes - start, size)) {
      at = start + 1;
      continue;
    }
    if (const size_t bad = overflowing_object(data + start, size))
      problem = "a string object at byte " + std::to_string(start + bad) +
                " claims more bytes than its global heap collection holds";
    at = start + size;  // the strings inside a collection are not collections
  }
  ::munmap(map, bytes);
  if (!problem.empty()) fail_file(path, "damaged session: " + problem);
}

}  // namespace attnscope::session
