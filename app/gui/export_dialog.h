#pragma once
// Asks how to export a figure: a paper column or page, or custom
// millimetres; the font size; whether to mark sharp transitions; the zoomed
// region or the whole map; the DPI of PNG output. Shows the `attnscope
// export` command that remakes the figure from the CLI. Remembers the last choice.
#include <QString>
#include <functional>
#include <optional>

#include "widgets/figure_export.h"

class QWidget;

namespace attnscope::gui {

struct FigureChoice {
  widgets::FigureSize size;
  double font_pt = 7;
  bool marks = false;       // sharp-transition circles
  bool zoomed = false;      // only the region on show
};

// A column for one plot; the page width for several side by side, each
// panel about square.
widgets::FigureSize default_figure_size(int panels);
FigureChoice default_figure_choice(int panels);
// `panels`: how many plots the figure has (wider default for several).
// `command_for` gives the CLI line for a choice, or an empty string when
// no single command makes that figure.
// Without `command_for` (the head grid) only size and resolution are asked.
std::optional<FigureChoice> ask_figure_choice(QWidget* parent, int panels,
                                              const std::function<QString(const FigureChoice&)>& command_for = {});

}  // namespace attnscope::gui
