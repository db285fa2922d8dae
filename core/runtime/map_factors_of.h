#pragma once
// A mixer's factors as the forward pass hands them over (MixingFactors,
// LibTorch tensors of batch row 0) in the plain form sessions store and
// recompute maps from (session::MapFactors).
#include "core/models/model.h"
#include "core/session/map_factors.h"

namespace attnscope {

// Throws attnscope::Error for MixingFactors::Form::None.
session::MapFactors map_factors_of(const MixingFactors& factors);

}  // namespace attnscope
