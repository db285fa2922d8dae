#include "core/session/object_header_check.h"


#include <cstdint>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/io/mapped_file.h"
#include "core/util/error.h"

namespace attnscope::session {
namespace {

// File format spec IV.A.1.a (version 1 object header, 8-byte offsets and
// lengths as AttnScope and h5py write): a 16-byte prefix whose bytes 8..11
// give the first chunk's size; then messages of type (2), size (2), flags
// (1), reserved (3) and `size` bytes of data.
constexpr size_t kPrefix = 16, kMessageHeader = 8;
constexpr uint16_t kDataspace = 0x01, kDatatype = 0x03, kLayout = 0x08, kAttribute = 0x0C, kContinuation = 0x10;
constexpr unsigned kVariableLength = 9;  // datatype class: strings and sequences stored as heap references
constexpr size_t kReference = 16;        // length u32, collection address u64, object index u32
constexpr uint64_t kMaxElements = 1 << 24;
constexpr uint8_t kSharedFlag = 0x02;
constexpr size_t kMaxChunks = 4096, kMaxObjects = 1000000;

uint16_t u16(const unsigned char* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
uint32_t u32(const unsigned char* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }
uint64_t u64(const unsigned char* p) {
  uint64_t v = 0;
  for (int k = 7; k >= 0; --k) v = v << 8 | p[k];
  return v;
}
size_t pad8(size_t n) { return (n + 7) / 8 * 8; }

// Elements a dataspace message (spec IV.A.2.b, versions 1 and 2) describes:
// 1 for a scalar, the product of the dimensions otherwise; nullopt when the
// message is damaged or absurd.
std::optional<uint64_t> element_count(const unsigned char* m, size_t size) {
  if (size < 8 || (m[0] != 1 && m[0] != 2)) return std::nullopt;
  const unsigned rank = m[1];
  const size_t dims_at = m[0] == 1 ? 8 : 4;
  if (m[0] == 2 && m[3] == 2) return 0;  // the null dataspace
  if (rank > 32 || dims_at + rank * 8 > size) return std::nullopt;
  uint64_t n = 1;
  for (unsigned d = 0; d < rank; ++d) {
    const uint64_t dim = u64(m + dims_at + 8 * d);
    if (dim > kMaxElements || (dim && n > kMaxElements / dim)) return std::nullopt;
    n *= dim;
  }
  return n;
}

bool is_variable_length(const unsigned char* datatype, size_t size) { return size >= 8 && (datatype[0] & 0x0F) == kVariableLength; }

// Every reference of `count` elements stored from file offset `at`.
void add_references(uint64_t at, uint64_t count, std::vector<uint64_t>& references) {
  for (uint64_t i = 0; i < count; ++i) references.push_back(at + i * kReference);
}

// An attribute message (spec IV.A.2.m): versions 1 (parts padded to 8
// bytes), 2 and 3 (one more byte: the name's character set). A string
// attribute's references are its data, after the dataspace.
std::string attribute_problem(const unsigned char* m, size_t size, uint64_t offset, std::vector<uint64_t>& references) {
  if (size < 8) return "an attribute message too short for its own header";
  const unsigned version = m[0];
  const size_t name = u16(m + 2), datatype = u16(m + 4), dataspace = u16(m + 6);
  size_t name_at = 8, type_at = 0, space_at = 0, data_at = 0;
  if (version == 1) {
    type_at = 8 + pad8(name), space_at = type_at + pad8(datatype), data_at = space_at + pad8(dataspace);
  } else if (version == 2 || version == 3) {
    name_at = version == 3 ? 9 : 8;
    type_at = name_at + name, space_at = type_at + datatype, data_at = space_at + dataspace;
  } else {
    return "an attribute message of unknown version " + std::to_string(version);
  }
  if (data_at > size) return "an attribute whose name, type and shape run past its message";
  if (name == 0 || !std::memchr(m + name_at, 0, name)) return "an attribute whose name is not terminated";
  if (is_variable_length(m + type_at, datatype)) {
    const auto count = element_count(m + space_at, dataspace);
    if (!count) return "a string attribute whose shape is damaged";
    if (*count * kReference > size - data_at) return "a string attribute whose data runs past its message";
    add_references(offset + data_at, *count, references);
  }
  return "";
}

// A dataset's strings (variable-length type) are references in its data:
// contiguous in the file, or compact in the layout message (spec IV.A.2.i,
// version 3). Sessions never chunk strings.
std::string dataset_references(size_t bytes, const unsigned char* layout, size_t layout_size,
                               uint64_t layout_offset, uint64_t count, std::vector<uint64_t>& references) {
  if (layout_size < 4 || layout[0] != 3) return "a string dataset with a layout version sessions do not use";
  if (layout[1] == 0) {  // compact: size, then the data
    const size_t stored = u16(layout + 2);
    if (4 + stored > layout_size || count * kReference > stored) return "a compact string dataset larger than its message";
    add_references(layout_offset + 4, count, references);
  } else if (layout[1] == 1) {  // contiguous: address, size
    if (layout_size < 18) return "a layout message too short for its address";
    const uint64_t address = u64(layout + 2), stored = u64(layout + 10);
    if (address == UINT64_MAX) return "";  // never written: nothing to read
    if (stored < count * kReference || address > bytes || bytes - address < count * kReference)
      return "a string dataset whose data lies past the end of the file";
    add_references(address, count, references);
  } else {
    return "a string dataset stored in chunks; sessions never do";
  }
  return "";
}

// Walks one version 1 header and its continuation chunks; "" when sound.
// Adds the file offsets of the string references it holds or points to.
std::string header_problem(const unsigned char* data, size_t bytes, uint64_t address, std::vector<uint64_t>& references) {
  if (address >= bytes || bytes - address < kPrefix) return "lies past the end of the file";
  if (std::memcmp(data + address, "OHDR", 4) == 0) return "";  // version 2: checksummed, HDF5 checks it
  if (data[address] != 1) return "is of unknown version " + std::to_string(data[address]);
  std::vector<std::pair<uint64_t, uint64_t>> chunks = {{address + kPrefix, u32(data + address + 8)}};
  bool strings = false;  // the dataset's type is variable-length
  std::optional<uint64_t> count;
  const unsigned char* layout = nullptr;
  size_t layout_size = 0;
  for (size_t c = 0; c < chunks.size(); ++c) {
    if (chunks.size() > kMaxChunks) return "continues in more chunks than any session has";
    const auto [start, length] = chunks[c];
    if (start > bytes || length > bytes - start) return "has a chunk past the end of the file";
    const unsigned char* chunk = data + start;
    for (size_t at = 0; at + kMessageHeader <= length;) {
      const uint16_t type = u16(chunk + at), size = u16(chunk + at + 2);
      const uint8_t flags = chunk[at + 4];
      const unsigned char* message = chunk + at + kMessageHeader;
      if (size > length - at - kMessageHeader) return "has a message that runs past its chunk";
      const bool shared = flags & kSharedFlag;
      if (type == kContinuation) {
        if (size < 16) return "has a continuation message too short for its address";
        chunks.emplace_back(u64(message), u64(message + 8));
      } else if (type == kAttribute && !shared) {
        const std::string problem = attribute_problem(message, size, static_cast<uint64_t>(message - data), references);
        if (!problem.empty()) return "has " + problem;
      } else if (type == kDatatype && !shared) {
        strings = is_variable_length(message, size);
      } else if (type == kDataspace && !shared) {
        count = element_count(message, size);
      } else if (type == kLayout) {
        layout = message, layout_size = size;
      }
      at += kMessageHeader + size;
    }
  }
  if (strings && layout) {
    if (!count) return "has a string dataset whose shape is damaged";
    const std::string problem = dataset_references(bytes, layout, layout_size,
                                                   static_cast<uint64_t>(layout - data), *count, references);
    if (!problem.empty()) return "has " + problem;
  }
  return "";
}

struct Addresses {
  std::set<haddr_t> headers;
  bool too_many = false;
};

herr_t collect(hid_t, const char*, const H5L_info_t* info, void* data) {
  auto* a = static_cast<Addresses*>(data);
  if (info->type == H5L_TYPE_HARD) a->headers.insert(info->u.address);
  if (a->headers.size() > kMaxObjects) {
    a->too_many = true;
    return 1;
  }
  return 0;
}

}  // namespace

std::vector<uint64_t> check_object_headers(hid_t file, const std::filesystem::path& path) {
  Addresses addresses;
  H5O_info_t root{};
  if (H5Oget_info2(file, &root, H5O_INFO_BASIC) >= 0) addresses.headers.insert(root.addr);
  // A failing walk is left to the reader, which names what it cannot open.
  H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, collect, &addresses);
  if (addresses.too_many) fail_file(path, "holds more than a million objects: not an AttnScope session");

  std::optional<io::MappedFile> mapped;
  try {
    mapped.emplace(path);
  } catch (const Error&) {
    return {};  // the reader names the problem
  }
  std::vector<uint64_t> references;
  for (const haddr_t address : addresses.headers) {
    const std::string problem = header_problem(mapped->data(), mapped->size(), address, references);
    if (!problem.empty())
      fail_file(path, "damaged session: the object header at byte " + std::to_string(address) + " " + problem);
  }
  return references;
}

}  // namespace attnscope::session
