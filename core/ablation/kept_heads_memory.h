#pragma once
// Sweeps and patching keep every mixer's per-head outputs of one run (the
// intact or the source run) while they re-run the model: refuse, with one
// clear sentence, work whose kept outputs and one forward would not fit.
#include <cstdint>
#include <string>

#include "core/models/model_info.h"

namespace attnscope {

// `what`: "a sweep over 512 tokens". Throws attnscope::Error.
void require_memory_for_kept_heads(const ModelInfo& info, int64_t length, const std::string& what);

}  // namespace attnscope
