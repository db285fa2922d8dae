#include "widgets/token_labels.h"

namespace attnscope::widgets {

QString short_label(const QString& token, int max_chars) {
  if (token.size() <= max_chars) return token;
  return token.left(max_chars - 1) + QChar(0x2026);
}

int label_step(int count, int max_labels) {
  if (max_labels <= 0 || count <= max_labels) return 1;
  return (count + max_labels - 1) / max_labels;
}

}  // namespace attnscope::widgets
