#include "core/ablation/kept_heads_memory.h"

#include "core/runtime/memory_budget.h"
#include "core/util/memory.h"

namespace attnscope {

void require_memory_for_kept_heads(const ModelInfo& info, int64_t length, const std::string& what) {
  // A mixer's per-head outputs span its inner width: hidden_size for
  // attention, expand x hidden_size for SSMs (2 in every family here),
  // float32 for Mamba-1; 2 x hidden_size float32 bounds them all.
  int64_t mixers = 0;
  for (const auto& layer : info.layers) mixers += static_cast<int64_t>(layer.mixers.size());
  const double kept = static_cast<double>(mixers) * length * 2.0 * info.hidden_size * 4.0;
  ForwardShape shape;
  shape.length = length;
  require_memory(kept + forward_working_bytes(info, shape), what,
                 "use a shorter prompt, or a GPU (--device cuda)");
}

}  // namespace attnscope
