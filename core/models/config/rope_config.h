#pragma once
// rope_scaling of a config.json, validated (no LibTorch: inspect reads it too).
#include <string>

#include "core/io/config.h"

namespace attnscope {

struct RopeScaling {
  std::string type;  // "", "linear", "llama3"
  double factor = 1;
  double low_freq_factor = 1, high_freq_factor = 4;
  double original_max_positions = 8192;
};

// null, or {type|rope_type: default|linear|llama3, factor, ...}; throws for
// kinds AttnScope does not implement and for factors that are not finite
// and positive.
RopeScaling read_rope_scaling(const io::Config& config);

// A RoPE base (rope_theta, rotary_emb_base): finite and above 0.
double read_rope_theta(const io::Config& config, const char* key, double fallback);

}  // namespace attnscope
