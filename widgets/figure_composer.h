#pragma once
// Turns maps (a head, several heads, before / after / diff) into a paper
// figure: cuts the region, applies the display options, and gives panels of
// one kind one shared colour scale (differences their own, centred on zero).
// Used by the window's export and by `attnscope export`, so both draw alike.
#include <QPoint>
#include <QString>
#include <QStringList>
#include <QVector>
#include <optional>
#include <vector>

#include "widgets/map_display.h"
#include "widgets/paper_figure.h"

namespace attnscope::widgets {

// Queries [row_begin, row_end) against keys [col_begin, col_end); -1 ends at the prompt's end.
struct MapRegion {
  int row_begin = 0, row_end = -1, col_begin = 0, col_end = -1;
};

struct MapPanel {
  std::vector<float> values;  // row-major: length x length, or the cells of `held` alone
  QString title;
  bool difference = false;    // a signed difference: drawn on the difference scale
  QVector<QPoint> marks;      // (col, row) of sharp transitions, whole-map positions
  // Set when `values` holds only this region (resolved: no -1): a zoomed
  // figure of a long head needs its region's cells, not the whole map
  // (256 MB at 8192 tokens). It must contain the figure's region.
  std::optional<MapRegion> held;
};

// `r` with its -1 ends resolved against the prompt's length; throws
// std::invalid_argument when it is empty or leaves the prompt.
MapRegion resolved_region(MapRegion r, int length);

struct FigureStyle {
  DisplayOptions display;
  std::optional<ColourMapKind> colour_map;  // none: viridis, or the diverging map for signed maps
  ScaleKind scale = ScaleKind::Linear;
  bool marks = false;
  double font_pt = 7;
};

// Throws std::invalid_argument naming the problem when the region is empty or
// leaves the prompt (a CLI argument or a zoom beyond the map).
PaperFigure compose_figure(const QVector<MapPanel>& panels, int length, const QStringList& labels, const MapRegion& region,
                           const FigureStyle& style, const QString& title);

}  // namespace attnscope::widgets
