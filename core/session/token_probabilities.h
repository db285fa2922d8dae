#pragma once
// Probabilities of any token from a run's final logits (the session keeps
// them whole), so a target outside the top-k still has its log p.
#include <cstdint>
#include <optional>
#include <vector>

namespace attnscope::session {

// log softmax(logits)[id] in double; nullopt when `id` is outside the logits.
std::optional<double> log_probability(const std::vector<float>& logits, int64_t id);
// softmax(logits), empty for empty logits.
std::vector<float> probabilities(const std::vector<float>& logits);

}  // namespace attnscope::session
