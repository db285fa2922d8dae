#pragma once
// A model's shape read from config.json alone, without loading weights, so
// `inspect` is instant on a 70B checkpoint too. Loading a model gives the
// same ModelInfo (a test checks this on every fixture).
#include "core/io/checkpoint.h"
#include "core/models/model.h"

namespace attnscope {

ModelInfo describe_from_config(const io::Checkpoint& checkpoint);

}  // namespace attnscope
