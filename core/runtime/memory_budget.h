#pragma once
// Will it fit? Estimates of the memory a forward pass, a session read or an
// image needs, checked before the allocation instead of after: a prompt
// that would take 40 GB ends in one sentence naming the need, the limit and
// what to change, not in std::bad_alloc or the kernel's OOM killer.
#include <cstdint>
#include <string>

#include "core/models/model_info.h"
#include "core/util/memory.h"

namespace attnscope {

struct ForwardShape {
  int64_t length = 0;          // prompt tokens
  bool capture = false;        // maps captured (per layer, one at a time)
  bool factors = false;        // factors handed over: mixers without them capture their maps (map_has_factors)
  bool every_position = false; // logits at every position
  int channel_group = 1;       // Mamba-1 maps averaged in groups
  bool effective_view = false; // Mamba-1's effective maps, which have no factors
  int element_bytes = 4;       // the run dtype
  double widened_matrix_bytes = 0;  // Model::widened_matrix_bytes
};

// Peak working memory of one forward pass beyond the weights: the residual
// stream and a layer's activations, the largest layer's L x L work (scores
// and probabilities, or an SSM layer's maps), and the logits.
double forward_working_bytes(const ModelInfo& info, const ForwardShape& shape);

}  // namespace attnscope
