#pragma once
// The per-row loops of map_raster.cpp, built with -O3 -ffast-math so they
// vectorise: cells are finite (computed from checked factors), never NaN.
#include <cstdint>

namespace attnscope::session::raster_kernels {

// Largest |x[j]| over [0, n); 0 when n <= 0.
float largest_magnitude(const float* x, int64_t n);

// Where a pixel row's pixels take their cell, from each key's strongest
// |weight| over the pixel row's cell rows (-1: not drawn) and the row it is
// in: pixel p covers keys [col_start[p], col_start[p + 1]) (col_start[0] is
// the region's first key), keys from `stop` on are not drawn. at[p] is the
// key of largest magnitude (of equals, the one of the earliest row, then the
// first key), or -1 where none is drawn. Returns how many pixels the row reaches.
int64_t pool_magnitudes(const float* magnitude, const int32_t* from_row, const int64_t* col_start, int64_t pixels,
                        int64_t stop, int64_t* at);

struct RowFigures {
  float lowest, highest;
  float smallest_positive;  // FLT_MAX: none
};
// Over [0, n), n >= 1.
RowFigures row_figures(const float* x, int64_t n);

}  // namespace attnscope::session::raster_kernels
