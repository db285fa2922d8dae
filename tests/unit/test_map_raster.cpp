// A map region drawn at screen resolution (core/session/map_raster.h) against
// a direct evaluation: every pixel holds the covered cell of largest |weight|
// after the display's row normalising and hidden diagonal, nothing after the
// query is drawn, a lone sharp cell survives any zoom, and the drawn cells'
// figures and whole rows are those of the map.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>

#include "core/session/map_raster.h"

using namespace attnscope::session;

namespace {

struct Map {
  int64_t length;
  std::vector<float> values;  // L x L, causal, signed
  CellSource source() const {
    return [this](int64_t r0, int64_t c0, int64_t rows, int64_t cols, float* out) {
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) out[i * cols + j] = values[(r0 + i) * length + c0 + j];
    };
  }
};

Map random_map(int64_t L, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.f, 0.1f);
  Map m{L, std::vector<float>(static_cast<size_t>(L * L), 0.f)};
  for (int64_t i = 0; i < L; ++i)
    for (int64_t j = 0; j <= i; ++j) m.values[i * L + j] = d(rng);
  return m;
}

// What a pixel shows, from the definition: the cells it covers, transformed as displayed.
std::vector<float> expected_pixels(const Map& m, const RasterRequest& q) {
  const int64_t R = q.row_end - q.row_begin, C = q.col_end - q.col_begin;
  std::vector<float> out(static_cast<size_t>(q.out_rows) * q.out_cols, std::nanf(""));
  for (int64_t p = 0; p < q.out_rows; ++p)
    for (int64_t r = q.row_begin + R * p / q.out_rows; r < q.row_begin + R * (p + 1) / q.out_rows; ++r) {
      double peak = 0;
      for (int64_t j = 0; j <= r; ++j)
        if (!(q.hide_diagonal && j == r)) peak = std::max(peak, double(std::abs(m.values[r * m.length + j])));
      for (int64_t c = 0; c < q.out_cols; ++c)
        for (int64_t j = q.col_begin + C * c / q.out_cols; j < q.col_begin + C * (c + 1) / q.out_cols; ++j) {
          if (j > r || (q.hide_diagonal && j == r)) continue;
          float v = m.values[r * m.length + j];
          if (q.row_normalise && peak > 0) v = static_cast<float>(v / peak);
          float& px = out[p * q.out_cols + c];
          if (std::isnan(px) || std::abs(v) > std::abs(px)) px = v;
        }
    }
  return out;
}

void expect_same(const std::vector<float>& got, const std::vector<float>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t k = 0; k < want.size(); ++k) {
    if (std::isnan(want[k])) {
      EXPECT_TRUE(std::isnan(got[k])) << what << " pixel " << k;
    } else {
      EXPECT_NEAR(got[k], want[k], 1e-6f * std::abs(want[k])) << what << " pixel " << k;
    }
  }
}

RasterRequest request(int64_t r0, int64_t r1, int64_t c0, int64_t c1, int rows, int cols) {
  RasterRequest q;
  q.row_begin = r0, q.row_end = r1, q.col_begin = c0, q.col_end = c1, q.out_rows = rows, q.out_cols = cols;
  return q;
}

}  // namespace

TEST(MapRaster, PixelsHoldTheCoveredCellOfLargestWeightAtAnyZoom) {
  const Map m = random_map(203, 7);
  for (const auto& q : {request(0, 203, 0, 203, 61, 47),     // zoomed out, blocks of 3-5 cells
                        request(0, 203, 0, 203, 203, 203),   // one cell a pixel: the map itself
                        request(90, 170, 20, 150, 80, 130),  // a region at cell level
                        request(10, 60, 100, 203, 17, 29),   // wholly in the future: nothing drawn
                        request(150, 203, 140, 203, 7, 9)})  // across the diagonal
    for (int flags = 0; flags < 8; ++flags) {
      RasterRequest with = q;
      with.row_normalise = flags & 1, with.hide_diagonal = flags & 2;
      with.band_rows = flags & 4 ? 7 : 0;  // pixel rows split between bands, on a machine of any size
      const Raster r = raster_region(m.source(), m.length, with);
      ASSERT_EQ(r.rows, with.out_rows);
      ASSERT_EQ(r.cols, with.out_cols);
      expect_same(r.pixels, expected_pixels(m, with), ("region " + std::to_string(with.row_begin) + "-" + std::to_string(with.row_end) + " x " + std::to_string(with.col_begin) + "-" + std::to_string(with.col_end) + " flags " + std::to_string(flags)).c_str());
    }
}

// Row normalised, every row's peak shows as exactly +-1 (the division is
// exact), and where a pixel covers several rows' peaks the earliest row's
// wins, though a later row's lies at an earlier key (a pixel row's rows are
// folded key by key, then pooled: the pooling must keep the rows' order).
TEST(MapRaster, RowPeaksShowAsExactlyOneAndTiesGoToTheEarliestRow) {
  Map m = random_map(64, 11);
  // Rows 32..63, four a pixel row; row i's peak (sign alternating) in pixel
  // column c = pixel row % 4, at keys 8c + 7, 8c + 6, ... as the rows go on.
  const auto peak_key = [](int64_t i) { return ((i - 32) / 4 % 4) * 8 + 7 - i % 4; };
  for (int64_t i = 32; i < 64; ++i) m.values[i * 64 + peak_key(i)] = (i % 2 ? -3.f : 3.f) * (1 + i % 3);
  RasterRequest q = request(32, 64, 0, 64, 8, 8);
  q.row_normalise = true;
  const Raster r = raster_region(m.source(), m.length, q);
  for (int p = 0; p < 8; ++p) {
    const int64_t first_row = 32 + 4 * p;
    EXPECT_EQ(r.pixels[p * 8 + peak_key(first_row) / 8], first_row % 2 ? -1.f : 1.f) << "pixel row " << p;
  }
}

TEST(MapRaster, ALoneSharpCellIsNeverPooledAway) {
  Map m = random_map(1000, 3);
  m.values[700 * 1000 + 333] = -5.f;  // one strong negative transition
  RasterRequest q = request(0, 1000, 0, 1000, 37, 41);
  q.figures = true;
  const Raster r = raster_region(m.source(), m.length, q);
  const int64_t p = 700 * 37 / 1000, c = 333 * 41 / 1000;
  EXPECT_FLOAT_EQ(r.pixels[p * 41 + c], -5.f);
  EXPECT_DOUBLE_EQ(r.figures.lowest, -5.0);
  EXPECT_DOUBLE_EQ(r.figures.raw_largest, 5.0);
}

TEST(MapRaster, FiguresAndWholeRowsAreThoseOfTheDrawnCells) {
  const Map m = random_map(300, 11);
  RasterRequest q = request(0, 300, 0, 300, 50, 50);
  q.hide_diagonal = true, q.figures = true, q.sample_magnitudes = true;
  std::vector<int> seen(300, 0);
  std::vector<double> row_sums(300, 0);
  const Raster r = raster_region(m.source(), m.length, q, nullptr, [&](int64_t i, const float* w, int64_t n) {
    EXPECT_EQ(n, i + 1);
    ++seen[i];
    for (int64_t j = 0; j < n; ++j) row_sums[i] += w[j];
  });
  double lowest = INFINITY, highest = -INFINITY, smallest_positive = INFINITY;
  size_t drawn = 0;
  for (int64_t i = 0; i < 300; ++i) {
    double sum = 0;
    for (int64_t j = 0; j <= i; ++j) {
      const double v = m.values[i * 300 + j];
      sum += v;
      if (j == i) continue;
      ++drawn;
      lowest = std::min(lowest, v), highest = std::max(highest, v);
      if (v > 0) smallest_positive = std::min(smallest_positive, v);
    }
    EXPECT_EQ(seen[i], 1) << "row " << i;
    EXPECT_NEAR(row_sums[i], sum, 1e-5) << "row " << i;
  }
  EXPECT_TRUE(r.figures.any);
  EXPECT_DOUBLE_EQ(r.figures.lowest, lowest);
  EXPECT_DOUBLE_EQ(r.figures.highest, highest);
  EXPECT_DOUBLE_EQ(r.figures.smallest_positive, smallest_positive);
  EXPECT_EQ(r.figures.magnitude_sample.size(), drawn);  // a small map is sampled whole
  q.sample_magnitudes = false;
  EXPECT_TRUE(raster_region(m.source(), m.length, q).figures.magnitude_sample.empty());
  q.figures = false;
  EXPECT_FALSE(raster_region(m.source(), m.length, q).figures.any);
}

TEST(MapRaster, CancelledRastersAndBadRequests) {
  const Map m = random_map(100, 5);
  std::atomic<bool> cancel{true};
  EXPECT_TRUE(raster_region(m.source(), m.length, request(0, 100, 0, 100, 10, 10), &cancel).pixels.empty());
  EXPECT_THROW(raster_region(m.source(), m.length, request(0, 101, 0, 100, 10, 10)), std::invalid_argument);
  EXPECT_THROW(raster_region(m.source(), m.length, request(50, 50, 0, 100, 1, 10)), std::invalid_argument);
  EXPECT_THROW(raster_region(m.source(), m.length, request(0, 10, 0, 100, 11, 10)), std::invalid_argument);
  EXPECT_THROW(raster_region(m.source(), m.length, request(0, 10, 0, 100, 10, 0)), std::invalid_argument);
}
