#include "core/train/graft_card.h"

#include <sstream>

#include "core/train/accuracy_table.h"

namespace attnscope::train {

std::string graft_card(const GraftOptions& o, const GraftReport& r) {
  const std::string head = std::to_string(o.head.layer) + "." + std::to_string(o.head.head);
  std::ostringstream s;
  s << "---\nlibrary_name: attnscope\n" << kGraftCardMarker << "\n---\n\n";
  if (o.head.attention) {
    s << "# Head " << head << " of " << o.source.filename().string() << " replaced by softmax attention\n\n"
      << "Every weight of `" << o.source.string() << "` is carried over unchanged. Head " << head
      << " of its Mamba-2 layer is computed by a softmax attention head: queries and keys are new projections "
      << "of the layer's input (started from "
      << (o.head.qk_init == HeadToGraft::QkInit::SsmProjections ? "the head's own C and B projections" : "random values")
      << "), values, gate, norm and output projection are the SSM head's own. Only the new queries, keys and output "
      << "gain were trained; every other weight is frozen.\n\n";
  } else {
    s << "# Head " << head << " of " << o.source.filename().string() << " fine-tuned (control)\n\n"
      << "The control for head replacement: the same budget spent on fine-tuning the SSM head " << head
      << "'s own parameters (its z, x and dt rows of in_proj, its convolution and gate-norm channels, A, D and dt "
      << "bias); every other weight is frozen. The checkpoint is in the attnscope_hybrid dialect.\n\n";
  }
  s << "## How it was made\n\n```\n" << o.command << "\n```\n\n| | |\n|---|---|\n"
    << "| steps | " << o.steps << " |\n| batch | " << o.batch << " |\n| learning rate | " << o.learning_rate
    << " (AdamW, no weight decay, warm-up then cosine) |\n| seed | " << o.seed << " |\n| trained parameters | "
    << r.trained_parameters << " |\n| final loss | " << r.final_loss << " |\n| time | " << r.seconds << " s (CPU) |\n\n"
    << "## Accuracy (held-out examples, " << o.eval_examples << " per task)\n\n"
    << accuracy_markdown("source", o.head.attention ? "grafted, untrained" : "before", r.accuracy_source, r.accuracy_start,
                         r.accuracy_after);
  s << "\nScoring: the candidate answer whose first token has the highest next-token probability "
       "(core/tasks/scoring.h). Re-check with `attnscope scan <this folder> --task <task>`.\n";
  return s.str();
}

}  // namespace attnscope::train
