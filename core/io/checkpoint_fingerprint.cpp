#include "core/io/checkpoint_fingerprint.h"

#include <algorithm>
#include <vector>

#include "core/io/mapped_file.h"
#include "core/util/content_hash.h"
#include "core/util/error.h"

namespace attnscope::io {
namespace {

namespace fs = std::filesystem;

void add_file(ContentHash& hash, const fs::path& file) {
  const MappedFile mapped(file);  // throws naming the file
  hash.add(file.filename().string());
  hash.add(static_cast<uint64_t>(mapped.size()));
  hash.add(mapped.data(), mapped.size());
}

bool is_tokenizer_or_config(const fs::path& p) {
  static const std::vector<std::string> names = {"config.json", "tokenizer.json", "vocab.json", "merges.txt",
                                                 "tokenizer_config.json", "special_tokens_map.json",
                                                 "model.safetensors.index.json"};
  return std::find(names.begin(), names.end(), p.filename().string()) != names.end();
}

}  // namespace

std::string checkpoint_fingerprint(const fs::path& path) {
  const bool one_weight_file = path.extension() == ".safetensors" && !fs::is_directory(path);
  fs::path dir = fs::is_directory(path) ? path : path.parent_path();
  if (dir.empty()) dir = ".";
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const auto& p = entry.path();
    // Regular files only: a FIFO or device named like a weight file is not read.
    if (!entry.is_regular_file()) continue;
    if (is_tokenizer_or_config(p) || (!one_weight_file && p.extension() == ".safetensors")) files.push_back(p);
  }
  if (ec) fail_file(dir, "could not be listed: " + ec.message());
  if (one_weight_file) files.push_back(path);
  std::sort(files.begin(), files.end());
  ContentHash hash;
  for (const auto& f : files) add_file(hash, f);
  return hash.hex();
}

}  // namespace attnscope::io
