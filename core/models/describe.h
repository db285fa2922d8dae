#pragma once
// A model's shape read from config.json alone, without loading weights, so
// `inspect` is instant on a 70B checkpoint too. Loading a model gives the
// same ModelInfo (a test checks this on every fixture). Both read config.json
// through the family's one validated config reader (core/models/config).
// Throws attnscope::Error for unknown model types and invalid configs.
#include "core/io/checkpoint.h"
#include "core/models/model_info.h"

namespace attnscope {

ModelInfo describe_from_config(const io::Checkpoint& checkpoint);

}  // namespace attnscope
