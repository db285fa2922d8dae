#pragma once
// A mixer's factors as the forward pass hands them over (MixingFactors,
// LibTorch tensors of batch row 0) in the plain form sessions store and
// recompute maps from (session::MapFactors).
#include "core/models/model.h"
#include "core/session/map_factors.h"

namespace attnscope {

// Throws attnscope::Error for MixingFactors::Form::None.
session::MapFactors map_factors_of(const MixingFactors& factors);
// The same into `out`, whose vectors keep their memory: a session's layers
// have factors of one shape, and fresh memory for each layer's (50 MB at 8192
// tokens for GPT-2 small) cost its page faults every layer.
void map_factors_into(const MixingFactors& factors, session::MapFactors& out);

}  // namespace attnscope
