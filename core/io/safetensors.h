#pragma once
// safetensors reader over a memory map. The format: 8-byte little-endian
// header length N, N bytes of JSON {name: {dtype, shape, data_offsets}, and an
// optional "__metadata__": {str: str}}, then the tensor bytes. We enforce what
// the reference reader enforces (see parse_safetensors_header).
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/io/dtype.h"
#include "core/io/mapped_file.h"

namespace attnscope::io {

constexpr uint64_t kMaxSafetensorsHeader = 100'000'000;

struct TensorEntry {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // offsets into the data section (after the header)
  uint64_t end = 0;
  int64_t numel() const;
};

struct SafetensorsHeader {
  uint64_t data_start = 0;  // 8 + N
  std::vector<TensorEntry> tensors;  // sorted by offset
  std::map<std::string, std::string> metadata;
};

// Parses and validates the header of a whole file held in `bytes`. Pure, no
// I/O: the fuzz target drives it. `origin` names the file in error messages.
SafetensorsHeader parse_safetensors_header(const uint8_t* bytes, size_t size,
                                           const std::filesystem::path& origin);

// One tensor's bytes in the map: `data` may be unaligned for its dtype.
struct TensorView {
  const TensorEntry* entry = nullptr;
  const uint8_t* data = nullptr;
  size_t nbytes = 0;
  const std::filesystem::path* file = nullptr;
  std::shared_ptr<const MappedFile> owner;  // keeps the map alive for tensors that alias it
};

class SafetensorsFile {
 public:
  explicit SafetensorsFile(const std::filesystem::path& path);  // throws attnscope::Error

  const std::filesystem::path& path() const { return map_->path(); }
  const std::vector<TensorEntry>& tensors() const { return header_.tensors; }
  const std::map<std::string, std::string>& metadata() const { return header_.metadata; }
  bool has(const std::string& name) const { return index_.count(name) != 0; }
  TensorView view(const std::string& name) const;  // throws if absent
  uint64_t file_size() const { return map_->size(); }

 private:
  std::shared_ptr<MappedFile> map_;
  SafetensorsHeader header_;
  std::map<std::string, size_t> index_;
};

}  // namespace attnscope::io
