#pragma once
// Figures for papers, laid out for the size they will print at rather than
// for the screen: labels thinned to what fits at the chosen font, titles
// wrapped instead of cut, panels that share one axis and one colour bar per
// scale, lossless map images, and no interface markings unless asked.
#include <QPoint>
#include <QString>
#include <QStringList>
#include <QVector>
#include <vector>

#include "widgets/colour_map.h"
#include "widgets/figure_export.h"
#include "widgets/matrix_image.h"

namespace attnscope::widgets {

struct FigureScale {
  ColourMap map;
  ValueRange range;
  ScaleKind kind = ScaleKind::Linear;
  QString label;  // above its colour bar ("weight", "after − before")
};

struct FigurePanel {
  std::vector<float> values;         // rows x cols of the region drawn, row-major; NaN: blank
  int rows = 0, cols = 0;
  int row_begin = 0, col_begin = 0;  // the region's first query and key in the prompt
  QString title;
  int scale = 0;                     // index into PaperFigure::scales
  QVector<QPoint> marks;             // (col, row) in the region, drawn only when PaperFigure::marks
};

struct PaperFigure {
  QString title;
  QVector<FigurePanel> panels;       // all of one region size
  QVector<FigureScale> scales;
  QStringList row_labels, col_labels;  // every token of the prompt
  bool causal = true;
  double font_pt = 7;
  bool marks = false;
};

// Writes .pdf, .svg or .png at `size` (millimetres; PNG at size.dpi).
// Returns an empty string, or one message naming the file and the problem
// (an unknown format, a size the panels and labels cannot fit in).
QString write_paper_figure(const PaperFigure& figure, const QString& path, const FigureSize& size);

}  // namespace attnscope::widgets
