#include "core/session/raster_row_fold.h"

#include <cmath>

#include "core/util/simd_clones.h"

namespace attnscope::session {

namespace {
// Selects, not branches, so each width of the loop vectorises (-O3 unswitches `divide`).
ATTNSCOPE_SIMD_CLONES
void fold(const float* row, float peak, bool divide, int64_t count, int32_t row_index, float* value, float* magnitude,
          int32_t* from_row) {
  for (int64_t j = 0; j < count; ++j) {
    const float v = divide ? row[j] / peak : row[j], a = std::fabs(v);
    const bool stronger = a > magnitude[j];
    value[j] = stronger ? v : value[j];
    magnitude[j] = stronger ? a : magnitude[j];
    from_row[j] = stronger ? row_index : from_row[j];
  }
}
}  // namespace

void fold_row(const float* row, float peak, int64_t count, int32_t row_index, float* value, float* magnitude,
              int32_t* from_row) {
  fold(row, peak, peak > 0, count, row_index, value, magnitude, from_row);
}

}  // namespace attnscope::session
