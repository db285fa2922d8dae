#pragma once
// The `attnscope export` line that remakes a figure of one head of a saved
// session (or its before / after / diff) from the CLI, shown in the export dialog.
#include <QString>
#include <optional>

#include "app/gui/export_dialog.h"
#include "widgets/figure_composer.h"

namespace attnscope::gui {

struct HeadFigure {
  QString session_path;   // empty: the session is not saved yet
  int layer = 0;
  QString mixer;          // only where the layer has several mixers
  int head = 0;
  int length = 0;         // the prompt's tokens (a region covering it is left out)
  widgets::MapRegion region;
  widgets::FigureStyle style;
  std::optional<widgets::ColourMapKind> colour_map;  // none: automatic
  bool before_after = false;  // intact, ablated and diff of the ablation on show when saved
};

// Options that are at their defaults are left out; arguments are quoted for a POSIX shell.
QString export_command_line(const HeadFigure& figure, const FigureChoice& choice, const QString& out);

}  // namespace attnscope::gui
