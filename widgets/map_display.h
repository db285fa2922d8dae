#pragma once
// How a map's weights become what is drawn, shared by the window and paper
// figures: signed maps (SSMs) get a range centred on zero, rows may be scaled
// to their largest weight, the colour range may end at a percentile so a few
// large weights (the diagonal) do not wash out the rest, and the diagonal may
// be hidden. Plain floats, no Qt drawing.
#include <vector>

#include "widgets/matrix_image.h"

namespace attnscope::widgets {

struct DisplayOptions {
  bool row_normalise = false;    // each query row divided by its largest |weight|
  double clip_percentile = 100;  // the colour range ends at this percentile of |weights| (100: the largest)
  bool hide_diagonal = false;    // position i reading itself is left blank (and out of the range)
};

struct DisplayedMap {
  std::vector<float> values;  // as drawn, row-major; NaN where nothing is drawn
  ValueRange range;           // symmetric around 0 when `is_signed`
  bool is_signed = false;     // holds negative weights: draw with a diverging map
};

// A map is signed when its most negative weight is more than 1e-3 of its
// largest |weight|: float16 rounding of a softmax never gets there, an SSM's
// negative transitions do.
bool has_signed_weights(const MatrixView& m);
// The colour range of weights drawn between `lowest` and `highest` (as
// displayed), ending at the clip percentile of `magnitudes` (|weights| as
// displayed, all or an even sample; reordered) when it is below 100.
ValueRange display_range(double lowest, double highest, double smallest_positive, bool is_signed,
                         std::vector<float>& magnitudes, const DisplayOptions& options);
// The map as drawn. Causal maps blank keys after the query (absolute
// positions, so a region below the diagonal keeps its cells).
DisplayedMap prepare_display(const MatrixView& m, const DisplayOptions& options);

}  // namespace attnscope::widgets
