#pragma once
// A checkpoint in the Hugging Face layout: a folder with config.json and
// either model.safetensors or model.safetensors.index.json + shards.
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/io/config.h"
#include "core/io/safetensors.h"
#include "core/util/atomic_output.h"

namespace attnscope::io {

// False for buffers stored beside the weights (GPT-2's causal masks, BOOL tensors).
bool is_parameter(const TensorEntry& t);

class Checkpoint {
 public:
  // `path` is the folder, its config.json, or its .safetensors file.
  static Checkpoint open(const std::filesystem::path& path);  // throws attnscope::Error

  const std::filesystem::path& dir() const { return dir_; }
  const Config& config() const { return config_; }
  std::string model_type() const { return config_.model_type(); }

  bool has(const std::string& name) const { return where_.count(name) != 0; }
  TensorView tensor(const std::string& name) const;  // throws naming the folder and the tensor
  std::vector<std::string> tensor_names() const;
  const std::vector<std::shared_ptr<SafetensorsFile>>& files() const { return files_; }
  // Dtype most parameters are stored in (by bytes), e.g. "F32".
  std::string storage_dtype() const;
  int64_t parameter_count() const;
  uint64_t total_bytes() const;
  std::optional<std::filesystem::path> tokenizer_path() const;

 private:
  std::filesystem::path dir_;
  Config config_;
  std::vector<std::shared_ptr<SafetensorsFile>> files_;
  std::map<std::string, size_t> where_;  // tensor name -> index into files_
  std::vector<std::shared_ptr<files::InputGuard>> guards_;  // config.json and the index: never an output
};

}  // namespace attnscope::io
