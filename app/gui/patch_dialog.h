#pragma once
// Asks for the corrupted prompt of activation patching: the clean prompt is
// shown, the corrupted one starts as its copy to edit (replace the word the
// answer depends on), and "Shuffle Options" moves each option's text to the
// next letter. Both must have the same number of tokens (the runner checks).
#include <QString>
#include <optional>

class QWidget;

namespace attnscope::gui {

// The option lines ("A. river stone" ... ) with their texts moved one letter
// on (A's text to B, ..., the last to A); other lines unchanged.
QString shuffle_options(const QString& prompt);

// The corrupted prompt, or nothing when cancelled.
std::optional<QString> ask_corrupted_prompt(QWidget* parent, const QString& clean);

}  // namespace attnscope::gui
