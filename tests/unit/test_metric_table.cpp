// The /metrics tables a run stores: each cell is the head metric of that
// head's map, NaN where a layer has fewer heads, and misuse is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/mixing/head_metrics.h"
#include "core/mixing/metric_table.h"
#include "core/util/error.h"

using namespace attnscope;

namespace {
std::vector<float> random_causal_maps(int heads, int64_t L, unsigned seed) {
  std::mt19937 rng(seed);
  std::exponential_distribution<float> weight(1.f);
  std::vector<float> maps(static_cast<size_t>(heads) * L * L, 0.f);
  for (int h = 0; h < heads; ++h)
    for (int64_t i = 0; i < L; ++i) {
      float* row = maps.data() + (static_cast<size_t>(h) * L + i) * L;
      float sum = 0;
      for (int64_t j = 0; j <= i; ++j) sum += row[j] = std::pow(weight(rng), 1.f + 3.f * h);
      for (int64_t j = 0; j <= i; ++j) row[j] /= sum;
    }
  return maps;
}
}  // namespace

TEST(HeadMetricTable, CellsAreTheHeadMetricsAndMissingHeadsAreNan) {
  const int64_t L = 17;
  mixing::HeadMetricTable table(2, 3);
  const auto layer0 = random_causal_maps(3, L, 1), layer1 = random_causal_maps(2, L, 2);
  table.add_row(0, layer0.data(), 3, L);
  table.add_row(1, layer1.data(), 2, L);
  const auto records = table.records();
  ASSERT_EQ(records.size(), mixing::HeadMetricTable::names().size());
  for (const auto& r : records) {
    EXPECT_EQ(r.rows, 2);
    EXPECT_EQ(r.max_heads, 3);
    ASSERT_EQ(r.values.size(), 6u);
    EXPECT_TRUE(std::isnan(r.values[5])) << r.name << ": layer 1 has no head 2";
  }
  for (int l = 0; l < 2; ++l)
    for (int h = 0; h < (l ? 2 : 3); ++h) {
      const auto& maps = l ? layer1 : layer0;
      const mixing::MatrixRef m{maps.data() + static_cast<size_t>(h) * L * L, L};
      EXPECT_FLOAT_EQ(records[0].values[l * 3 + h], mixing::normalised_row_entropy(m));
      EXPECT_FLOAT_EQ(records[1].values[l * 3 + h], mixing::top1_mass(m));
      EXPECT_FLOAT_EQ(records[2].values[l * 3 + h], mixing::transition_sharpness(m));
    }
  // Heads drawn with a larger exponent are peakier: lower entropy.
  EXPECT_GT(records[0].values[0], records[0].values[2]);
}

TEST(HeadMetricTable, RefusesLayersOutsideTheTable) {
  mixing::HeadMetricTable table(1, 2);
  const auto maps = random_causal_maps(3, 4, 3);
  EXPECT_THROW(table.add_row(1, maps.data(), 2, 4), Error);
  EXPECT_THROW(table.add_row(0, maps.data(), 3, 4), Error);
}
