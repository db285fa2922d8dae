#pragma once
// The README.md model card of a distilled student: the teacher, which heads
// stayed attention and why (the selection and the scan's ranking), the exact
// command, and the task accuracy of teacher, student before and after.
#include <string>

#include "core/train/distill.h"

namespace attnscope::train {

// In every distill card's front matter: a folder holding it was written by distill.
inline constexpr const char* kDistillCardMarker = "tags: [attnscope, attnscope_hybrid, distillation]";
std::string heads_list(const std::vector<std::pair<int, int>>& heads);  // "0.0, 0.3"
std::string distill_card(const DistillOptions& options, const DistillReport& report);

}  // namespace attnscope::train
