#include "core/train/distill_card.h"

#include "core/train/accuracy_table.h"

#include <cstdio>
#include <sstream>

namespace attnscope::train {
std::string heads_list(const std::vector<std::pair<int, int>>& heads) {
  std::string out;
  for (const auto& [layer, head] : heads) out += (out.empty() ? "" : ", ") + std::to_string(layer) + "." + std::to_string(head);
  return out.empty() ? "none" : out;
}

std::string distill_card(const DistillOptions& o, const DistillReport& r) {
  std::ostringstream s;
  s << "---\nlibrary_name: attnscope\n" << kDistillCardMarker << "\n---\n\n"
    << "# " << o.source.filename().string() << " distilled with " << r.kept.size() << " of " << r.total_heads
    << " heads kept as attention\n\n"
    << "Retrieval-aware placement: the heads kept as softmax attention were chosen by `" << head_selection_name(o.selection)
    << "` (" << (o.selection == HeadSelection::Scan     ? "the heads whose zeroing costs the task most"
                 : o.selection == HeadSelection::Random ? "drawn at random, the control"
                                                        : "whole layers, those whose heads cost most together, the control")
    << "); every other head is a Mamba-2 (SSD) head over its own q, k and v (`attention_ssm_heads`), and the "
       "student was distilled from `"
    << o.source.string() << "` (KL of the next-token distributions at every position; every weight trained).\n\n"
    << "Kept as attention: " << heads_list(r.kept) << ".\n\nThe ablation scan's ranking (" << o.scan_examples
    << " examples per task; accuracy lost when the head alone is zeroed):\n\n| head | accuracy lost |\n|---|---|\n";
  for (size_t i = 0; i < r.ranking.size(); ++i)
    s << "| " << r.ranking[i].first << "." << r.ranking[i].second << " | " << percent_text(r.ranking_drop[i]) << " |\n";
  s << "\n## How it was made\n\n```\n" << o.command << "\n```\n\n| | |\n|---|---|\n| steps | " << o.steps << " |\n| batch | "
    << o.batch << " |\n| learning rate | " << o.learning_rate << " (AdamW, no weight decay, warm-up then cosine) |\n| seed | "
    << o.seed << " |\n| final loss (KL) | " << r.final_loss << " |\n| time | " << r.seconds << " s (CPU) |\n\n"
    << "## Accuracy (held-out examples, " << o.eval_examples << " per task)\n\n"
    << accuracy_markdown("teacher", "student before", r.accuracy_teacher, r.accuracy_start, r.accuracy_after);
  return s.str();
}

}  // namespace attnscope::train
