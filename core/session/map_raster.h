#pragma once
// A region of a map drawn at screen resolution from cells computed a band of
// rows at a time, so nothing of L x L is ever held: the window draws an
// 8k-token map from a session's factors. Each pixel keeps the covered cell of
// largest |weight| (its sign too; of equals, the earliest row's, then the first key's),
// so a sharp cell never disappears when the map is zoomed out; once a pixel covers one cell the raster is the map itself.
#include <atomic>
#include <cstdint>
#include <functional>
#include <vector>

namespace attnscope::session {

// Cells [r0, r0 + rows) x [c0, c0 + cols) of a map, row-major into `out`;
// finite (the pooling loops assume it). Called on the raster's thread, a band of rows at a time.
using CellSource = std::function<void(int64_t r0, int64_t c0, int64_t rows, int64_t cols, float* out)>;
// A whole row's raw weights, keys [0, count), handed over when the raster
// computes whole rows (RasterRequest::whole_rows): any thread, any order.
using RowVisitor = std::function<void(int64_t row, const float* weights, int64_t count)>;

struct RasterRequest {
  int64_t row_begin = 0, row_end = 0, col_begin = 0, col_end = 0;  // the region's cells, [begin, end)
  int out_rows = 0, out_cols = 0;  // pixels; at most the region's rows and columns
  bool causal = true;              // keys after the query are not drawn (NaN)
  bool row_normalise = false;      // each row divided by its largest |weight| over all its keys
  bool hide_diagonal = false;      // position i reading itself is not drawn (nor counted)
  bool whole_rows = false;         // compute every key of each row (row_normalise and RowVisitor need them)
  bool figures = false;            // gather DrawnFigures (a colour range)
  bool sample_magnitudes = false;  // and its magnitude_sample (for a clipped colour range)
  int64_t band_rows = 0;           // rows computed at once; 0: as the machine suits (tests pick small bands)
};

// What the drawn cells hold, gathered while rastering (for a colour range), when asked.
struct DrawnFigures {
  bool any = false;
  double lowest = 0, highest = 0;  // drawn weights, as displayed
  double smallest_positive = 0;    // 0: none
  double raw_lowest = 0, raw_largest = 0;  // before row normalising: the largest is of |weight|
  std::vector<float> magnitude_sample;     // |weight| as displayed, of an even sample of drawn cells (when asked)
};

struct Raster {
  std::vector<float> pixels;  // rows x cols, row-major; NaN where no cell is drawn
  int rows = 0, cols = 0;
  DrawnFigures figures;
};

// The first cell of pixel `p` of `n` along an axis of `extent` cells starting at `begin`.
inline int64_t pixel_start(int64_t begin, int64_t extent, int64_t n, int64_t p) { return begin + extent * p / n; }

// Empty pixels when `cancel` turned true meanwhile. Throws std::invalid_argument
// for a region outside [0, length)^2 or sizes outside [1, the region's].
Raster raster_region(const CellSource& cells, int64_t length, const RasterRequest& request,
                     const std::atomic<bool>* cancel = nullptr, const RowVisitor& visit_row = {});

}  // namespace attnscope::session
