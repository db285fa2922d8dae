#pragma once
// Turns an L x L mixing matrix (plain floats) into a QImage, one pixel per
// cell, through a colour map and a linear or log scale. Cells above the
// diagonal of a causal map are drawn in the "no data" colour.
#include <QImage>
#include <vector>

#include "widgets/colour_map.h"

namespace attnscope::widgets {

enum class ScaleKind { Linear, Log };

struct ValueRange {
  double low = 0, high = 1;
  double smallest_positive = 0;  // the least weight above zero (0: unknown), where a log scale starts
};

// Both ranges at once (panels sharing one colour scale).
ValueRange united(const ValueRange& a, const ValueRange& b);
// Where a log scale starts: the least positive weight (at most 12 decades
// below the top), or 1e-4 of the top when that is unknown.
double log_floor(const ValueRange& range);

struct MatrixView {
  const float* values = nullptr;  // row-major rows x cols
  int rows = 0, cols = 0;
  bool causal = true;  // blank the upper triangle
  int row_begin = 0, col_begin = 0;  // a region's first query and key (causal blanking is by position)
  // Keys [0, end) of local row i are drawn; the rest are in the query's future.
  int visible_end(int i) const {
    if (!causal) return cols;
    const int end = row_begin + i - col_begin + 1;
    return end < 0 ? 0 : (end > cols ? cols : end);
  }
};

// Where a value falls in [0, 1] for the colour map. Log: log10 over
// [log_floor(range), high]; diverging maps centre 0 at 0.5.
double normalise(double value, const ValueRange& range, ScaleKind scale, bool diverging);
QImage render_matrix(const MatrixView& m, const ColourMap& map, const ValueRange& range, ScaleKind scale);
// Nearest-neighbour upscale so every cell is `pixels` wide: keeps cells crisp
// when a PDF viewer or printer resamples the embedded image.
QImage crisp_upscale(const QImage& image, int pixels);

}  // namespace attnscope::widgets
