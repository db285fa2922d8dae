#include "core/models/config/rope_config.h"

#include "core/util/error.h"

namespace attnscope {

RopeScaling read_rope_scaling(const io::Config& config) {
  RopeScaling s;
  if (!config.has("rope_scaling")) return s;
  const io::Config r = config.section("rope_scaling");
  s.type = r.get_string("rope_type", r.get_string("type", "default"));
  if (s.type == "default") return RopeScaling{};
  s.factor = r.get_positive("factor", 1.0);
  if (s.type == "linear") return s;
  if (s.type == "llama3") {
    s.low_freq_factor = r.get_positive("low_freq_factor", 1.0);
    s.high_freq_factor = r.get_positive("high_freq_factor", 4.0);
    s.original_max_positions = r.get_positive("original_max_position_embeddings", 8192.0);
    if (s.high_freq_factor <= s.low_freq_factor)
      fail_file(r.origin(), "high_freq_factor must be above low_freq_factor");
    return s;
  }
  fail_file(config.origin(), "rope_scaling type '" + s.type + "' is not supported (AttnScope knows linear and llama3)");
}

double read_rope_theta(const io::Config& config, const char* key, double fallback) {
  return config.get_positive(key, fallback);
}

}  // namespace attnscope
