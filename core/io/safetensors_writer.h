#pragma once
// Writes a safetensors file (header padded to 8 bytes, tensors in the order
// added). The file appears under its name only when complete: it is written
// to a temporary file beside it and renamed.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/io/dtype.h"

namespace attnscope::io {

class SafetensorsWriter {
 public:
  void add(const std::string& name, DType dtype, std::vector<int64_t> shape, const void* data,
           size_t nbytes);  // copies the bytes; throws on a size mismatch or duplicate name
  // As add, without a copy: `data` must stay valid until write() returns
  // (checkpoints larger than memory, written from one reused buffer).
  void add_borrowed(const std::string& name, DType dtype, std::vector<int64_t> shape, const void* data,
                    size_t nbytes);
  void set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }
  void write(const std::filesystem::path& path) const;  // throws attnscope::Error

 private:
  struct Pending {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    std::vector<uint8_t> bytes;
    const uint8_t* borrowed = nullptr;
    size_t nbytes = 0;
    const uint8_t* data() const { return borrowed ? borrowed : bytes.data(); }
  };
  void check_new(const std::string& name, DType dtype, const std::vector<int64_t>& shape, size_t nbytes) const;
  std::vector<Pending> tensors_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace attnscope::io
