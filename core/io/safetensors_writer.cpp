#include "core/io/safetensors_writer.h"

#include <nlohmann/json.hpp>
#include <cstring>
#include <fstream>

#include "core/util/atomic_output.h"
#include "core/util/error.h"

namespace attnscope::io {

void SafetensorsWriter::check_new(const std::string& name, DType dtype, const std::vector<int64_t>& shape,
                                  size_t nbytes) const {
  size_t expected = dtype_size(dtype);
  for (int64_t d : shape) expected *= static_cast<size_t>(d);
  if (expected != nbytes) throw Error("safetensors writer: tensor '" + name + "' has the wrong byte size");
  for (const auto& t : tensors_)
    if (t.name == name) throw Error("safetensors writer: tensor '" + name + "' added twice");
}

void SafetensorsWriter::add(const std::string& name, DType dtype, std::vector<int64_t> shape,
                            const void* data, size_t nbytes) {
  check_new(name, dtype, shape, nbytes);
  Pending p{name, dtype, std::move(shape), std::vector<uint8_t>(nbytes), nullptr, nbytes};
  if (nbytes) std::memcpy(p.bytes.data(), data, nbytes);
  tensors_.push_back(std::move(p));
}

void SafetensorsWriter::add_borrowed(const std::string& name, DType dtype, std::vector<int64_t> shape,
                                     const void* data, size_t nbytes) {
  check_new(name, dtype, shape, nbytes);
  tensors_.push_back(Pending{name, dtype, std::move(shape), {}, static_cast<const uint8_t*>(data), nbytes});
}

void SafetensorsWriter::write(const std::filesystem::path& path) const {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata_.empty()) header["__metadata__"] = metadata_;
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    header[t.name] = {{"dtype", dtype_name(t.dtype)},
                      {"shape", t.shape},
                      {"data_offsets", {offset, offset + t.nbytes}}};
    offset += t.nbytes;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // keeps tensor data 8-byte aligned
  files::AtomicOutput output(path);
  {
    std::ofstream out(output.temp(), std::ios::binary | std::ios::trunc);
    if (!out) fail_file(path, "cannot write");
    uint64_t n = text.size();
    uint8_t len[8];
    for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(n >> (8 * i));
    out.write(reinterpret_cast<const char*>(len), 8);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    for (const auto& t : tensors_)
      out.write(reinterpret_cast<const char*>(t.data()), static_cast<std::streamsize>(t.nbytes));
    out.flush();
    if (!out) fail_file(path, "write failed (disk full?)");
  }
  output.commit();
}

}  // namespace attnscope::io
