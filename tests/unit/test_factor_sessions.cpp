// Sessions recorded with --store-maps none (factors only, every head
// recomputed when read) against the same run with every map stored, on the
// bundled Transformer, Mamba-2 and hybrid demos: same rows, same heads (to
// the stored maps' float16), same metrics.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/runtime/loaded_model.h"
#include "core/runtime/resources.h"
#include "core/runtime/session_run.h"
#include "core/session/session_reader.h"
#include "core/session/session_writer.h"

namespace fs = std::filesystem;
using namespace attnscope;

namespace {

fs::path record(const LoadedModel& loaded, const Prompt& prompt, const fs::path& path, StoreMaps store) {
  auto writer = session::SessionWriter::create(path);
  RecordOptions options;
  options.store_maps = store;
  record_run(loaded, prompt, "demo", writer, options);
  writer.commit();
  return path;
}

class FactorSessions : public ::testing::TestWithParam<const char*> {};

}  // namespace

TEST_P(FactorSessions, FactorsOnlyReadBackAsTheStoredMaps) {
  const fs::path dir = fs::temp_directory_path() / ("attnscope-factor-sessions-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto loaded = load_for_running(resource_dir() / "models" / GetParam(), LoadOptions{});
  const Prompt prompt = prompt_from_text(*loaded, "Pairs: river 3 apple 7 stone 5 candle 2. Queries: apple 7 stone");
  const session::SessionReader all(record(*loaded, prompt, dir / "all.h5", StoreMaps::All));
  const session::SessionReader none(record(*loaded, prompt, dir / "none.h5", StoreMaps::None));
  ASSERT_EQ(none.rows_with_maps(), all.rows_with_maps());
  int recomputed = 0;
  for (int row : all.rows_with_maps()) {
    ASSERT_TRUE(all.maps_stored(row));
    recomputed += !none.maps_stored(row);
    EXPECT_EQ(none.maps_stored(row), !none.has_factors(row)) << "maps only where the mixer has no factors";
    for (int h = 0; h < all.mixer(row).heads; ++h) {
      const auto stored = all.read_head(row, h), computed = none.read_head(row, h);
      ASSERT_EQ(stored.size(), computed.size());
      double worst = 0, scale = 1e-30;
      for (size_t k = 0; k < stored.size(); ++k)
        worst = std::max(worst, static_cast<double>(std::abs(stored[k] - computed[k]))), scale = std::max(scale, static_cast<double>(std::abs(stored[k])));
      EXPECT_LT(worst / scale, 1e-3) << "row " << row << " head " << h << ": float16 storage is the only difference";
    }
  }
  EXPECT_GT(recomputed, 0) << "no row was given by its factors";
  for (const auto& name : all.metric_names()) {
    const auto a = all.metric(name).values, b = none.metric(name).values;
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k)
      if (!std::isnan(a[k])) EXPECT_NEAR(a[k], b[k], 1e-5) << name << " cell " << k;
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Demos, FactorSessions, ::testing::Values("transformer", "mamba2", "hybrid"));
