#pragma once
// The per-row loops of map_raster.cpp, built with -O3 -ffast-math so they
// vectorise: cells are finite (computed from checked factors), never NaN.
#include <cstdint>

namespace attnscope::session::raster_kernels {

// Largest |x[j]| over [0, n); 0 when n <= 0.
float largest_magnitude(const float* x, int64_t n);

// Where one row's pixels take their cell: pixel p covers keys
// [col_start[p], col_start[p + 1]) (col_start[0] is the region's first key);
// keys from `stop` on and `hidden` (-1: none) are not drawn. at[p] is the
// key of largest |weight| (the first of equals), or -1 where none is drawn.
// Returns how many pixels the row reaches. (The division by a row's peak is
// left to the caller: under -ffast-math x / x need not be 1.)
int64_t pool_row(const float* row, const int64_t* col_start, int64_t pixels, int64_t stop, int64_t hidden, int64_t* at);

struct RowFigures {
  float lowest, highest;
  float smallest_positive;  // FLT_MAX: none
};
// Over [0, n), n >= 1.
RowFigures row_figures(const float* x, int64_t n);

}  // namespace attnscope::session::raster_kernels
