#include "core/session/global_heap_check.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

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

uint32_t read_u32(const unsigned char* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }

// A collection's objects by index: their sizes (absent indices are -1).
using ObjectSizes = std::vector<int64_t>;

// Reads the objects of the collection at `c`; returns the offset (within
// the collection) of the first object that runs past the end, or 0 when all fit.
size_t read_objects(const unsigned char* c, uint64_t size, ObjectSizes& objects) {
  size_t at = kHeader;
  while (at + kObjectHeader <= size) {
    const unsigned index = c[at] | c[at + 1] << 8;
    const uint64_t length = read_u64(c + at + 8);
    if (index == 0) return length <= size - at ? 0 : at;  // free space: to the end
    const uint64_t padded = (length + 7) / 8 * 8;
    if (length > size || padded > size - at - kObjectHeader) return at;
    if (objects.size() <= index) objects.resize(index + 1, -1);
    objects[index] = static_cast<int64_t>(length);
    at += kObjectHeader + padded;
  }
  return 0;
}

// A variable-length string is stored as (length u32, collection address u64,
// object index u32). HDF5 1.10 keeps a collection's objects in a table of
// max(slots, highest index + 1) entries, slots = (size - 16) / 16 + 2, and
// looks an index up without a bound: a reference past the table reads
// HDF5's memory (found by fuzz_session_reader), one to an empty entry
// dereferences null (the helper process takes that crash), and an object
// longer than the reference's length is copied past the buffer HDF5 sized
// from it. A reference is recognised by the collection's exact 8-byte
// address with a length in [1, collection size] before it and an index
// that fits the 16 bits a collection stores; only the two silent cases are
// refused, so stale references in space a rewrite freed are left alone.
std::string bad_reference(const unsigned char* data, size_t bytes, const std::map<uint64_t, ObjectSizes>& collections) {
  for (const auto& [address, objects] : collections) {
    unsigned char key[8];
    for (int k = 0; k < 8; ++k) key[k] = static_cast<unsigned char>(address >> (8 * k));
    const uint64_t collection_size = read_u64(data + address + 8);
    const uint64_t table = std::max<uint64_t>((collection_size - kHeader) / kObjectHeader + 2, objects.size());
    for (size_t at = 4; at + 12 <= bytes;) {
      const void* hit = ::memmem(data + at, bytes - at, key, 8);
      if (!hit) break;
      const size_t p = static_cast<size_t>(static_cast<const unsigned char*>(hit) - data);
      at = p + 1;
      if (p < 4 || p + 12 > bytes) continue;
      const uint32_t length = read_u32(data + p - 4), index = read_u32(data + p + 8);
      if (length == 0 || length > collection_size || index > 0xFFFF) continue;
      if (index >= table)
        return "a string at byte " + std::to_string(p - 4) + " refers to object " + std::to_string(index) +
               " of the global heap collection at byte " + std::to_string(address) + ", which has no such object";
      if (index < objects.size() && objects[index] > static_cast<int64_t>(length))
        return "a string at byte " + std::to_string(p - 4) + " claims " + std::to_string(length) +
               " bytes but its object in the global heap holds " + std::to_string(objects[index]);
    }
  }
  return "";
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
  std::map<uint64_t, ObjectSizes> collections;  // by address (the file offset: sessions have no user block)
  for (size_t at = 0; at + kHeader <= bytes && problem.empty();) {
    const void* hit = ::memmem(data + at, bytes - at, "GCOL", 4);
    if (!hit) break;
    const size_t start = static_cast<size_t>(static_cast<const unsigned char*>(hit) - data);
    uint64_t size = 0;
    if (!plausible_collection(data + start, bytes - start, size)) {
      at = start + 1;
      continue;
    }
    if (const size_t bad = read_objects(data + start, size, collections[start]))
      problem = "a string object at byte " + std::to_string(start + bad) +
                " claims more bytes than its global heap collection holds";
    at = start + size;  // the strings inside a collection are not collections
  }
  if (problem.empty()) problem = bad_reference(data, bytes, collections);
  ::munmap(map, bytes);
  if (!problem.empty()) fail_file(path, "damaged session: " + problem);
}

}  // namespace attnscope::session
