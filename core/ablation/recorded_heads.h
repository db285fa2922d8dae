#pragma once
// Every mixer's per-head outputs of one run, kept by (layer, mixer): the
// intact run a sweep reuses and the source run patching copies from.
#include <ATen/ATen.h>

#include <functional>
#include <map>
#include <utility>

#include "core/models/model.h"

namespace attnscope {

using RecordedHeads = std::map<std::pair<int, int>, at::Tensor>;  // (layer, mixer) -> [B, H, L, P]

// An on_layer_call (ForwardOptions) that copies each mixer's per-head outputs into `into`.
inline std::function<void(int, LayerCall&)> record_head_outputs(RecordedHeads& into) {
  return [&into](int layer, LayerCall& call) {
    for (size_t m = 0; m < call.mixers.size(); ++m)
      call.mixers[m].on_head_outputs = [&into, layer, m](at::Tensor& heads) {
        into[{layer, static_cast<int>(m)}] = heads.clone();
      };
  };
}

}  // namespace attnscope
