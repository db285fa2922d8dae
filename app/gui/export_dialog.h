#pragma once
// Asks for a figure's size before export: a paper column or page, or custom
// millimetres, and the DPI of PNG output. Remembers the last choice.
#include "widgets/figure_export.h"

#include <optional>

class QWidget;

namespace attnscope::gui {

// A column for one plot; the page width for several side by side, each
// panel about square.
widgets::FigureSize default_figure_size(int panels);
// `panels`: how many plots sit side by side (wider default for several).
std::optional<widgets::FigureSize> ask_figure_size(QWidget* parent, int panels);

}  // namespace attnscope::gui
