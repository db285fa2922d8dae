#pragma once
// A fingerprint of a checkpoint's content, so that the parts of a scan run
// on different machines can be told to come from the same model even when
// each node staged it under another path. It hashes config.json, the
// tokenizer files, and every weight file whole (at memory speed: a shard
// reads the weights to load them anyway), so two checkpoints that differ in
// one head's weights differ.
#include <filesystem>
#include <string>

namespace attnscope::io {

// 16 hex digits. `path` is the checkpoint folder (every *.safetensors in
// it), or one .safetensors file in it (that file only) or its config.json.
// Throws attnscope::Error when a file cannot be read.
std::string checkpoint_fingerprint(const std::filesystem::path& path);

}  // namespace attnscope::io
