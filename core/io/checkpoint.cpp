#include "core/io/checkpoint.h"

#include "core/io/json_file.h"
#include "core/io/tokenizer.h"
#include "core/util/atomic_output.h"
#include "core/util/error.h"

namespace attnscope::io {
namespace fs = std::filesystem;

namespace {
fs::path checkpoint_folder(const fs::path& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec && ec.value() == ELOOP) fail_file(path, "symbolic link loop");
  if (!fs::exists(status)) fail_file(path, "no such file or folder");
  if (fs::is_directory(status)) return path;
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

// A shard named by the index, which must stay inside the checkpoint folder:
// "../../etc/passwd" or an absolute path would make AttnScope read any file.
fs::path shard_in_folder(const fs::path& dir, const fs::path& index, const std::string& shard) {
  const fs::path name(shard);
  if (shard.empty() || name.is_absolute() || name.filename() != name || shard == "." || shard == "..")
    fail_file(index, "names the shard '" + shard + "', which is not a file name inside the checkpoint folder");
  return dir / name;
}
}  // namespace

Checkpoint Checkpoint::open(const fs::path& path) {
  Checkpoint ck;
  ck.dir_ = checkpoint_folder(path);
  const fs::path config = ck.dir_ / "config.json";
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(config, ec))) fail_file(ck.dir_, "no config.json: not a Hugging Face checkpoint folder");
  ck.config_ = Config::read(config);

  const fs::path single = ck.dir_ / "model.safetensors";
  const fs::path index = ck.dir_ / "model.safetensors.index.json";
  // symlink_status: a dangling link or a loop counts as present, and its
  // opening then names the problem (no filesystem_error escapes).
  auto present = [](const fs::path& p) {
    std::error_code e;
    return fs::exists(fs::symlink_status(p, e));
  };
  if (path.extension() == ".safetensors" && !fs::is_directory(path, ec)) {
    ck.files_.push_back(std::make_shared<SafetensorsFile>(path));
  } else if (present(single)) {
    ck.files_.push_back(std::make_shared<SafetensorsFile>(single));
  } else if (present(index)) {
    auto j = read_json_file(index);
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
      fail_file(index, "has no weight_map");
    std::map<std::string, size_t> shard_index;
    for (auto it = j["weight_map"].begin(); it != j["weight_map"].end(); ++it) {
      if (!it->is_string()) fail_file(index, "weight_map entry '" + it.key() + "' is not a file name");
      const std::string shard = it->get<std::string>();
      if (!shard_index.count(shard)) {
        const fs::path shard_path = shard_in_folder(ck.dir_, index, shard);
        if (!present(shard_path))
          fail_file(index, "shard '" + shard + "' is missing from " + ck.dir_.string());
        shard_index[shard] = ck.files_.size();
        ck.files_.push_back(std::make_shared<SafetensorsFile>(shard_path));
      }
      const size_t f = shard_index[shard];
      if (!ck.files_[f]->has(it.key()))
        fail_file(ck.files_[f]->path(), "lacks tensor '" + it.key() + "' that the index places there");
    }
  } else if (present(ck.dir_ / "pytorch_model.bin")) {
    fail_file(ck.dir_, "has only pytorch_model.bin; AttnScope reads safetensors weights "
                       "(convert with safetensors' convert script)");
  } else {
    fail_file(ck.dir_, "no model.safetensors or model.safetensors.index.json");
  }
  // The checkpoint's own files are inputs no output of this run may replace
  // (the weights are guarded by their memory maps).
  ck.guards_.push_back(std::make_shared<files::InputGuard>(config));
  if (present(index)) ck.guards_.push_back(std::make_shared<files::InputGuard>(index));
  for (size_t f = 0; f < ck.files_.size(); ++f)
    for (const auto& t : ck.files_[f]->tensors()) {
      auto [it, fresh] = ck.where_.emplace(t.name, f);
      if (!fresh && it->second != f)
        fail_file(ck.files_[f]->path(), "tensor '" + t.name + "' also appears in " +
                                            ck.files_[it->second]->path().filename().string());
    }
  return ck;
}

TensorView Checkpoint::tensor(const std::string& name) const {
  auto it = where_.find(name);
  if (it == where_.end()) fail_file(dir_, "checkpoint has no tensor '" + name + "'");
  return files_[it->second]->view(name);
}

std::vector<std::string> Checkpoint::tensor_names() const {
  std::vector<std::string> names;
  for (const auto& [name, _] : where_) names.push_back(name);
  return names;
}

std::string Checkpoint::storage_dtype() const {
  std::map<DType, uint64_t> bytes;
  for (const auto& f : files_)
    for (const auto& t : f->tensors()) bytes[t.dtype] += t.end - t.begin;
  DType best = DType::F32;
  uint64_t most = 0;
  for (auto [d, b] : bytes)
    if (b > most) best = d, most = b;
  return dtype_name(best);
}

bool is_parameter(const TensorEntry& t) {
  // GPT-2's causal-mask buffers are not parameters.
  return t.dtype != DType::BOOL && t.name.find(".attn.bias") == std::string::npos &&
         t.name.find(".attn.masked_bias") == std::string::npos;
}

int64_t Checkpoint::parameter_count() const {
  int64_t n = 0;
  for (const auto& f : files_)
    for (const auto& t : f->tensors())
      if (is_parameter(t)) n += t.numel();
  return n;
}

uint64_t Checkpoint::total_bytes() const {
  uint64_t n = 0;
  for (const auto& f : files_) n += f->file_size();
  return n;
}

std::optional<fs::path> Checkpoint::tokenizer_path() const { return Tokenizer::find_in(dir_); }

}  // namespace attnscope::io
