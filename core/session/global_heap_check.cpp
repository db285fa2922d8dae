#include "core/session/global_heap_check.h"


#include <cstdint>
#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/io/mapped_file.h"
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

// Every plausible collection's objects, by address (the file offset:
// sessions have no user block); `problem` names the first object that runs
// past its collection.
std::map<uint64_t, ObjectSizes> read_collections(const unsigned char* data, size_t bytes, std::string& problem) {
  std::map<uint64_t, ObjectSizes> collections;
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
  return collections;
}

}  // namespace

// HDF5 1.10 keeps a collection's objects in a table of max(slots, highest
// index + 1) entries, slots = (size - 16) / 16 + 2, and looks an index up
// without a bound: past the table it reads its own memory (found by
// fuzz_session_reader), at an empty entry it dereferences null, and it
// copies the object whole into a buffer sized by the reference's length.
void check_global_heaps(const std::filesystem::path& path, const std::vector<uint64_t>& references) {
  std::optional<io::MappedFile> mapped;
  try {
    mapped.emplace(path);
  } catch (const Error&) {
    return;  // the open that follows names the problem
  }
  const unsigned char* data = mapped->data();
  const size_t bytes = mapped->size();
  std::string problem;
  const auto collections = read_collections(data, bytes, problem);
  for (const uint64_t at : references) {
    if (!problem.empty()) break;
    if (at > bytes || bytes - at < 16) {
      problem = "a string's reference at byte " + std::to_string(at) + " lies past the end of the file";
      break;
    }
    const uint32_t length = read_u32(data + at), index = read_u32(data + at + 12);
    const uint64_t address = read_u64(data + at + 4);
    if (address == 0) continue;  // a null string
    const auto it = collections.find(address);
    if (it == collections.end()) continue;  // not a collection: HDF5 checks the signature and fails cleanly
    const ObjectSizes& objects = it->second;
    const std::string where = "a string at byte " + std::to_string(at);
    if (index == 0 || index >= objects.size() || objects[index] < 0)
      problem = where + " refers to object " + std::to_string(index) + " of the global heap collection at byte " +
                std::to_string(address) + ", which has no such object";
    else if (objects[index] > static_cast<int64_t>(length))
      problem = where + " claims " + std::to_string(length) + " bytes but its object in the global heap holds " +
                std::to_string(objects[index]);
  }
  if (!problem.empty()) fail_file(path, "damaged session: " + problem);
}

}  // namespace attnscope::session
