#pragma once
// Factories of the families; each lives in its own file under core/models.
#include <memory>

#include "core/io/checkpoint.h"
#include "core/models/model.h"
#include "core/models/weights.h"

namespace attnscope {
// Add one line per family here and one row in registry.cpp.
std::unique_ptr<Model> make_gpt2(const io::Checkpoint& checkpoint, const LoadOptions& options);
std::unique_ptr<Model> make_gpt_neox(const io::Checkpoint& checkpoint, const LoadOptions& options);
std::unique_ptr<Model> make_llama(const io::Checkpoint& checkpoint, const LoadOptions& options);
std::unique_ptr<Model> make_mamba(const io::Checkpoint& checkpoint, const LoadOptions& options);
std::unique_ptr<Model> make_hybrid(const io::Checkpoint& checkpoint, const LoadOptions& options);
std::unique_ptr<Model> make_mamba2(const io::Checkpoint& checkpoint, const LoadOptions& options);
std::unique_ptr<Model> make_falcon_mamba(const io::Checkpoint& checkpoint, const LoadOptions& options);
std::unique_ptr<Model> make_llamba(const io::Checkpoint& checkpoint, const LoadOptions& options);
std::unique_ptr<Model> make_jamba(const io::Checkpoint& checkpoint, const LoadOptions& options);
std::unique_ptr<Model> make_bamba(const io::Checkpoint& checkpoint, const LoadOptions& options);
std::unique_ptr<Model> make_granite_hybrid(const io::Checkpoint& checkpoint, const LoadOptions& options);
std::unique_ptr<Model> make_nemotron_h(const io::Checkpoint& checkpoint, const LoadOptions& options);
std::unique_ptr<Model> make_zamba2(const io::Checkpoint& checkpoint, const LoadOptions& options);
std::unique_ptr<Model> make_falcon_h1(const io::Checkpoint& checkpoint, const LoadOptions& options);
}  // namespace attnscope
