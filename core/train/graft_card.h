#pragma once
// The README.md model card of a grafted checkpoint: where it came from, which
// head became what, how it was trained (the exact command) and the task
// accuracy of the source, of the graft before training, and after.
#include <string>

#include "core/train/graft.h"

namespace attnscope::train {

// In every graft card's front matter: a folder holding it was written by graft.
inline constexpr const char* kGraftCardMarker = "tags: [attnscope, attnscope_hybrid, head-replacement]";
std::string graft_card(const GraftOptions& options, const GraftReport& report);

}  // namespace attnscope::train
