#pragma once
// A pixel row of a raster covers several cell rows. Rather than pool every
// cell row into pixels (a short loop a pixel, 1.8 million of them for a
// quarter of an 8k map), its cell rows are first folded column by column into
// the strongest cell each key has so far, one vectorised pass a row, and the
// fold is pooled into pixels once.
#include <cstdint>

namespace attnscope::session {

// For keys j in [0, count): where |row[j] / peak| (row[j] itself when peak
// <= 0) exceeds magnitude[j], value[j] and magnitude[j] take it and
// from_row[j] becomes `row_index`. An earlier row keeps its cell on a tie.
// Built without -ffast-math: the division is exact, so a row's peak shows as 1.
void fold_row(const float* row, float peak, int64_t count, int32_t row_index, float* value, float* magnitude,
              int32_t* from_row);

}  // namespace attnscope::session
