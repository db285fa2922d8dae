#pragma once
// The student of retrieval-aware distillation: a Llama-layout Transformer
// (model_type llama, or an attnscope_hybrid of standard attention layers only)
// rewritten as attnscope_hybrid with the given heads computed by Mamba-2 (SSD)
// scans over their own q, k, v (attention_ssm_heads). Every source weight is
// carried over (widened to float32); each recurrent head gets a step-size
// projection starting at zero (dt = 0.1 everywhere), A = -1 and no skip.
#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/io/checkpoint.h"

namespace attnscope::train {

// Throws attnscope::Error saying why `source` cannot be distilled.
void check_distill_source(const io::Checkpoint& source);

// Writes config.json, model.safetensors and the tokenizer files into `dir`.
void write_student_checkpoint(const io::Checkpoint& source, const std::vector<std::pair<int, int>>& recurrent_heads,
                              const std::filesystem::path& dir);

}  // namespace attnscope::train
