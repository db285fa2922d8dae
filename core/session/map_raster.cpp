#include "core/session/map_raster.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>

#include "core/session/kernel_support.h"
#include "core/session/raster_kernels.h"
#include "core/session/raster_row_fold.h"
#include "core/util/parallel.h"

namespace attnscope::session {
namespace {
constexpr float kBlank = std::numeric_limits<float>::quiet_NaN();
// Rows whose cells are computed at once: at least kBandRows (enough for the
// source's matrix products to use every core), and as many more as a band of
// kBandCells cells holds, up to kBandRows a core: a source that computes
// chunks of 256 rows a thread each (Mamba-1's wide heads) then has one a
// core, where it would otherwise wait on BLAS's threads spinning between its
// products. Bands start at multiples of their height (the sources' chunks do)
// and a cancelled raster stops within one (a few tens of ms at most).
constexpr int64_t kBandRows = 256;
constexpr int64_t kBandCells = int64_t{4} << 20;  // 16 MB of float

int64_t band_height(int64_t width) {
  const int64_t fits = std::max<int64_t>(1, kBandCells / std::max<int64_t>(1, width) / kBandRows);
  return kBandRows * std::clamp<int64_t>(fits, 1, machine_cores());
}
// A colour range's percentile is taken over about this many drawn cells, as
// the window does for a map it holds whole (widgets/map_display.cpp).
constexpr int64_t kSampleCells = int64_t{1} << 22;

void check_request(int64_t length, const RasterRequest& q) {
  const auto fail = [&](const std::string& what) {
    throw std::invalid_argument("raster of a " + std::to_string(length) + "-token map: " + what);
  };
  if (q.row_begin < 0 || q.row_end > length || q.row_begin >= q.row_end || q.col_begin < 0 || q.col_end > length ||
      q.col_begin >= q.col_end)
    fail("region [" + std::to_string(q.row_begin) + ", " + std::to_string(q.row_end) + ") x [" +
         std::to_string(q.col_begin) + ", " + std::to_string(q.col_end) + ") is outside the map");
  if (q.out_rows < 1 || q.out_cols < 1 || q.out_rows > q.row_end - q.row_begin || q.out_cols > q.col_end - q.col_begin)
    fail(std::to_string(q.out_rows) + " x " + std::to_string(q.out_cols) + " pixels for a region of " +
         std::to_string(q.row_end - q.row_begin) + " x " + std::to_string(q.col_end - q.col_begin) + " cells");
}

// Every stride-th cell (by index i * length + j) joins the sample, the stride
// set by the region's rows x columns as the window sets it for a map it holds
// whole (widgets/map_display.cpp), so both sample the same cells; a stride
// sharing no factor with the length samples every column, not a few.
int64_t sample_stride(int64_t length, const RasterRequest& q) {
  int64_t stride = std::max<int64_t>(1, (q.row_end - q.row_begin) * (q.col_end - q.col_begin) / kSampleCells);
  while (stride > 1 && std::gcd(stride, length) != 1) ++stride;
  return stride;
}

struct Figures {
  double lowest = INFINITY, highest = -INFINITY, smallest_positive = INFINITY;
  double raw_lowest = 0, raw_largest = 0;
  std::vector<float> sample;

  void merge_into(DrawnFigures& out, bool& first) const {
    if (!std::isfinite(lowest)) return;
    if (first) {
      out.lowest = lowest, out.highest = highest, out.smallest_positive = smallest_positive;
      out.raw_lowest = raw_lowest, out.raw_largest = raw_largest;
      first = false;
    } else {
      out.lowest = std::min(out.lowest, lowest), out.highest = std::max(out.highest, highest);
      out.smallest_positive = std::min(out.smallest_positive, smallest_positive);
      out.raw_lowest = std::min(out.raw_lowest, raw_lowest), out.raw_largest = std::max(out.raw_largest, raw_largest);
    }
    out.magnitude_sample.insert(out.magnitude_sample.end(), sample.begin(), sample.end());
  }
};
}  // namespace

Raster raster_region(const CellSource& cells, int64_t length, const RasterRequest& q, const std::atomic<bool>* cancel,
                     const RowVisitor& visit_row) {
  check_request(length, q);
  const int64_t R = q.row_end - q.row_begin, C = q.col_end - q.col_begin;
  Raster out;
  out.rows = q.out_rows, out.cols = q.out_cols;
  out.pixels.assign(static_cast<size_t>(q.out_rows) * q.out_cols, kBlank);
  // Pixel column p covers keys [col_start[p], col_start[p + 1]).
  std::vector<int64_t> col_start(static_cast<size_t>(q.out_cols) + 1);
  for (int64_t p = 0; p <= q.out_cols; ++p) col_start[p] = pixel_start(q.col_begin, C, q.out_cols, p);
  // The pixel row holding cell row i: the last p with pixel_start(p) <= i.
  const auto pixel_of_row = [&](int64_t i) { return ((i - q.row_begin + 1) * q.out_rows + R - 1) / R - 1; };
  const bool whole_rows = q.whole_rows || q.row_normalise || static_cast<bool>(visit_row);
  const int64_t stride = q.sample_magnitudes ? sample_stride(length, q) : 1;

  std::mutex merging;
  bool first_figures = true;
  // Reused from request to request on the caller's thread: 16 MB of fresh memory would cost more than its cells.
  const int64_t band_width = whole_rows ? length : C;
  const int64_t height = q.band_rows > 0 ? q.band_rows : band_height(band_width);
  std::vector<float>& band = kernels::thread_scratch(kernels::kRasterBandSlot,
                                                     static_cast<size_t>(std::min(height, R) * band_width));
  for (int64_t a = q.row_begin; a < q.row_end; a = (a / height + 1) * height) {
    if (cancel && cancel->load()) return {};
    const int64_t b = std::min(q.row_end, (a / height + 1) * height);
    const int64_t k0 = whole_rows ? 0 : q.col_begin;
    const int64_t k1 = q.causal ? std::min(whole_rows ? length : q.col_end, b) : (whole_rows ? length : q.col_end);
    if (k1 <= k0) continue;  // the band lies wholly in the region's future: nothing drawn
    const int64_t width = k1 - k0;  // the band fits the buffer sized above
    // One call for the band: the source's own threads (and BLAS's) work on it.
    cells(a, k0, b - a, width, band.data());
    const int64_t first_pixel = pixel_of_row(a), pixels_here = pixel_of_row(b - 1) - first_pixel + 1;
    // Then the band's pixel rows, one task each (no two threads write one pixel): at least 16 cell rows a task.
    const int64_t grain = std::max<int64_t>(1, 16 * q.out_rows / R);
    parallel_for(pixels_here, grain, [&](int64_t begin, int64_t end) {
      Figures local;
      std::vector<int64_t> at(static_cast<size_t>(q.out_cols));
      // The pixel row's cell rows folded key by key (raster_row_fold.h): keys [col_begin, col_end).
      std::vector<float> folded(static_cast<size_t>(C)), folded_magnitude(static_cast<size_t>(C));
      std::vector<int32_t> folded_from(static_cast<size_t>(C));  // the cell row each key's cell is in (ties: earliest)
      for (int64_t pixel = first_pixel + begin; pixel < first_pixel + end; ++pixel) {
        const int64_t rows_from = std::max(a, pixel_start(q.row_begin, R, q.out_rows, pixel));
        const int64_t rows_to = std::min(b, pixel_start(q.row_begin, R, q.out_rows, pixel + 1));
        int64_t reach = q.col_begin;  // keys folded so far: [col_begin, reach)
        for (int64_t i = rows_from; i < rows_to; ++i) {
          const float* row = band.data() + (i - a) * width - k0;  // row[j] for keys j in [k0, k1)
          const int64_t end_key = q.causal ? std::min(i + 1, k1) : k1;
          if (visit_row && end_key > 0) visit_row(i, row, end_key);
          float peak = 0;
          if (q.row_normalise) {
            // Over all the row's keys but a hidden diagonal.
            const bool skip = q.hide_diagonal && i >= k0 && i < end_key;
            peak = skip ? std::max(raster_kernels::largest_magnitude(row + k0, i - k0),
                                   raster_kernels::largest_magnitude(row + i + 1, end_key - i - 1))
                        : raster_kernels::largest_magnitude(row + k0, end_key - k0);
          }
          const int64_t stop = std::min(q.col_end, end_key);
          if (stop <= q.col_begin) continue;
          const int64_t hidden = q.hide_diagonal && i >= q.col_begin && i < stop ? i : -1;
          // Keys this pixel row reaches first start from nothing drawn.
          if (stop > reach) {
            std::fill(folded_magnitude.begin() + (reach - q.col_begin), folded_magnitude.begin() + (stop - q.col_begin), -1.f);
            reach = stop;
          }
          // Each key keeps the strongest of the pixel row's cells as displayed
          // (divided by the row's peak), the hidden diagonal left out.
          const auto fold = [&](int64_t from, int64_t to) {
            if (to > from)
              fold_row(row + from, peak, to - from, static_cast<int32_t>(i - rows_from), folded.data() + (from - q.col_begin),
                       folded_magnitude.data() + (from - q.col_begin), folded_from.data() + (from - q.col_begin));
          };
          if (hidden < 0) {
            fold(q.col_begin, stop);
          } else {
            fold(q.col_begin, hidden);
            fold(hidden + 1, stop);
          }
          if (q.figures) {
            // Drawn cells' figures; the raw ones count the diagonal even when hidden.
            const auto take = [&](int64_t from, int64_t to) {
              if (to <= from) return;
              const auto f = raster_kernels::row_figures(row + from, to - from);
              const double scale = peak > 0 ? peak : 1.0;
              local.lowest = std::min(local.lowest, f.lowest / scale);
              local.highest = std::max(local.highest, f.highest / scale);
              if (f.smallest_positive < FLT_MAX)
                local.smallest_positive = std::min(local.smallest_positive, f.smallest_positive / scale);
              local.raw_lowest = std::min<double>(local.raw_lowest, f.lowest);
              local.raw_largest = std::max<double>(local.raw_largest, std::max(std::abs(f.lowest), std::abs(f.highest)));
            };
            if (hidden < 0) {
              take(q.col_begin, stop);
            } else {
              take(q.col_begin, hidden);
              take(hidden + 1, stop);
              local.raw_lowest = std::min<double>(local.raw_lowest, row[hidden]);
              local.raw_largest = std::max<double>(local.raw_largest, std::abs(row[hidden]));
            }
          }
          // The sample: cells whose index i * length + j is a multiple of the stride.
          const int64_t index = i * length + q.col_begin;
          if (q.sample_magnitudes)
            for (int64_t j = q.col_begin + (stride - index % stride) % stride; j < stop; j += stride)
              if (j != hidden) local.sample.push_back(std::abs(peak > 0 ? row[j] / peak : row[j]));
        }
        if (reach == q.col_begin) continue;  // no cell of this band drawn in this pixel row
        // Each pixel: the folded key of largest |weight|; a pixel row split
        // between two bands keeps the stronger (the earlier band's on a tie).
        const int64_t reached = raster_kernels::pool_magnitudes(
            folded_magnitude.data() - q.col_begin, folded_from.data() - q.col_begin, col_start.data(), q.out_cols, reach,
            at.data());
        // (A pixel's magnitude so far is that of its value; NaN: nothing drawn yet.)
        float* pixels = out.pixels.data() + pixel * q.out_cols;
        for (int64_t p = 0; p < reached; ++p) {
          if (at[p] < 0) continue;
          const float m = folded_magnitude[at[p] - q.col_begin];
          if (std::isnan(pixels[p]) || m > std::abs(pixels[p])) pixels[p] = folded[at[p] - q.col_begin];
        }
      }
      const std::lock_guard<std::mutex> lock(merging);
      local.merge_into(out.figures, first_figures);
    });
  }
  if (cancel && cancel->load()) return {};
  out.figures.any = q.figures && !first_figures;
  if (!std::isfinite(out.figures.smallest_positive)) out.figures.smallest_positive = 0;
  return out;
}

}  // namespace attnscope::session
