#include "core/io/safetensors.h"

#include <nlohmann/json.hpp>
#include <algorithm>
#include <cstring>
#include <limits>
#include <set>

#include "core/util/error.h"

namespace attnscope::io {
namespace {
using nlohmann::json;

uint64_t read_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// nlohmann keeps the last of two equal keys silently; the reference reader
// refuses the file, so we watch keys at the top level while parsing.
json parse_header_json(const char* text, size_t size, const std::filesystem::path& origin) {
  std::set<std::string> seen;
  std::string duplicate;
  json::parser_callback_t watch = [&](int depth, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key && depth == 1) {
      const auto& key = parsed.get_ref<const std::string&>();
      if (!seen.insert(key).second && duplicate.empty()) duplicate = key;
    }
    return true;
  };
  json header;
  try {
    header = json::parse(text, text + size, watch);
  } catch (const json::exception& e) {
    fail_file(origin, std::string("header is not valid JSON (") + e.what() + ")");
  }
  if (!duplicate.empty()) fail_file(origin, "tensor '" + duplicate + "' is listed twice");
  if (!header.is_object()) fail_file(origin, "header is not a JSON object");
  return header;
}

TensorEntry parse_entry(const std::string& name, const json& value,
                        const std::filesystem::path& origin) {
  auto bad = [&](const std::string& what) { fail_file(origin, "tensor '" + name + "': " + what); };
  if (!value.is_object()) bad("entry is not an object");
  TensorEntry t;
  t.name = name;
  auto dt = value.find("dtype");
  if (dt == value.end() || !dt->is_string()) bad("missing dtype");
  auto parsed = parse_dtype(dt->get<std::string>());
  if (!parsed) bad("unknown dtype '" + dt->get<std::string>() + "'");
  t.dtype = *parsed;
  auto shape = value.find("shape");
  if (shape == value.end() || !shape->is_array()) bad("missing shape");
  for (const auto& d : *shape) {
    if (!d.is_number_unsigned()) bad("shape must hold non-negative integers");
    t.shape.push_back(static_cast<int64_t>(d.get<uint64_t>()));
  }
  auto offsets = value.find("data_offsets");
  if (offsets == value.end() || !offsets->is_array() || offsets->size() != 2 ||
      !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned())
    bad("data_offsets must be two non-negative integers");
  t.begin = (*offsets)[0].get<uint64_t>();
  t.end = (*offsets)[1].get<uint64_t>();
  if (t.end < t.begin) bad("data_offsets end before they begin");
  // element count times dtype size must equal the byte range, without overflow
  uint64_t bytes = dtype_size(t.dtype);
  for (int64_t d : t.shape) {
    if (d != 0 && bytes > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(d))
      bad("shape is too large");
    bytes *= static_cast<uint64_t>(d);
  }
  if (bytes != t.end - t.begin)
    bad("byte size " + std::to_string(t.end - t.begin) + " does not match shape and dtype (" +
        std::to_string(bytes) + " bytes expected)");
  return t;
}
}  // namespace

int64_t TensorEntry::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

SafetensorsHeader parse_safetensors_header(const uint8_t* bytes, size_t size,
                                           const std::filesystem::path& origin) {
  if (size < 8) fail_file(origin, "file is too short to be safetensors (" + std::to_string(size) + " bytes)");
  const uint64_t n = read_le64(bytes);
  if (n > kMaxSafetensorsHeader)
    fail_file(origin, "header length " + std::to_string(n) + " exceeds the 100 MB limit");
  if (n > size - 8)
    fail_file(origin, "header length " + std::to_string(n) + " runs past the end of the file (" +
                          std::to_string(size) + " bytes): truncated?");
  const char* text = reinterpret_cast<const char*>(bytes + 8);
  if (n == 0 || text[0] != '{') fail_file(origin, "header does not start with '{'");
  json header = parse_header_json(text, n, origin);

  SafetensorsHeader out;
  out.data_start = 8 + n;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") {
      if (!it->is_object()) fail_file(origin, "__metadata__ is not an object");
      for (auto m = it->begin(); m != it->end(); ++m) {
        if (!m->is_string()) fail_file(origin, "__metadata__ value '" + m.key() + "' is not a string");
        out.metadata[m.key()] = m->get<std::string>();
      }
      continue;
    }
    out.tensors.push_back(parse_entry(it.key(), *it, origin));
  }
  std::sort(out.tensors.begin(), out.tensors.end(), [](const TensorEntry& a, const TensorEntry& b) {
    return a.begin < b.begin || (a.begin == b.begin && a.end < b.end);
  });
  // Offsets must tile the data section from 0 with no gap and no overlap.
  uint64_t expected = 0;
  for (const auto& t : out.tensors) {
    if (t.begin != expected)
      fail_file(origin, "tensor '" + t.name + "' starts at byte " + std::to_string(t.begin) +
                            (t.begin < expected ? " and overlaps the tensor before it"
                                                : " leaving a gap after byte " + std::to_string(expected)));
    expected = t.end;
  }
  const uint64_t data_size = size - out.data_start;
  if (expected != data_size)
    fail_file(origin, "tensor data ends at byte " + std::to_string(expected) + " but the data section holds " +
                          std::to_string(data_size) + " bytes" +
                          (expected > data_size ? ": truncated?" : ""));
  return out;
}

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path)
    : map_(std::make_shared<MappedFile>(path)),
      header_(parse_safetensors_header(map_->data(), map_->size(), path)) {
  for (size_t i = 0; i < header_.tensors.size(); ++i) index_[header_.tensors[i].name] = i;
}

TensorView SafetensorsFile::view(const std::string& name) const {
  auto it = index_.find(name);
  if (it == index_.end()) fail_file(path(), "has no tensor '" + name + "'");
  const TensorEntry& e = header_.tensors[it->second];
  return TensorView{&e, map_->data() + header_.data_start + e.begin, e.end - e.begin, &map_->path(), map_};
}

}  // namespace attnscope::io
