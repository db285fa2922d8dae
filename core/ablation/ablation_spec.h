#pragma once
// Ablation sets as users write them: "3.5,7.1" (layer.head), "3.attn.5" or
// "3.ssm.1" (layer.mixer.head, for layers with several mixers), optionally
// "3.5:mean" per head; the default mode applies where none is given.
#include <string>
#include <vector>

#include "core/models/model.h"

namespace attnscope {

std::vector<HeadAblation> parse_ablation_list(const std::string& text, AblationMode default_mode);
std::string format_ablation_list(const std::vector<HeadAblation>& ablations);  // round-trips
// JSON {"layer": [heads]} as the fixtures' metadata writes it (modes left out).
std::string ablation_heads_json(const std::vector<HeadAblation>& ablations);

}  // namespace attnscope
