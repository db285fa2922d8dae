// Sessions recorded with --store-maps none (factors only, every head
// recomputed when read) against the same run with every map stored, on the
// bundled Transformer, Mamba-2 and hybrid demos and on Mamba-1 fixtures
// (Mamba, Falcon-Mamba's unweighted norms, Jamba's weighted ones): same rows, same heads (to
// the stored maps' float16), same metrics and overviews. Beyond 1024 tokens
// a softmax session's summaries come from the forward's own rows: they equal
// those computed from the session's factors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/mixing/map_summary.h"
#include "core/mixing/metric_table.h"
#include "core/runtime/loaded_model.h"
#include "core/runtime/resources.h"
#include "core/runtime/session_run.h"
#include "core/session/session_reader.h"
#include "core/session/session_writer.h"
#include "support/random_models.h"

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
  // A demo's name, or a Mamba-1 fixture (no Mamba-1 demo is bundled).
  const std::string name = GetParam();
  const fs::path model_dir = name.find('/') == std::string::npos ? resource_dir() / "models" / name
                                                                  : fs::path(ATTNSCOPE_SOURCE_DIR) / name;
  const auto loaded = load_for_running(model_dir, LoadOptions{});
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
      // Both keep the head's overview, pooled as the map was made: the largest |weight| of each block.
      ASSERT_EQ(all.overview_size(row), static_cast<int>(all.length()));
      ASSERT_EQ(none.overview_size(row), all.overview_size(row));
      const auto overview = none.read_overview(row, h), stored_overview = all.read_overview(row, h);
      for (size_t k = 0; k < overview.size(); ++k) {
        EXPECT_NEAR(overview[k], stored_overview[k], 1e-5 * scale) << "row " << row << " head " << h;
        EXPECT_NEAR(overview[k], computed[k], 1e-5 * scale) << "at most 256 tokens, the overview is the map";
      }
    }
  }
  EXPECT_GT(recomputed, 0) << "no row was given by its factors";
  for (const auto& name : all.metric_names()) {
    const auto a = all.metric(name).values, b = none.metric(name).values;
    ASSERT_EQ(a.size(), b.size());
    for (size_t k = 0; k < a.size(); ++k)
      if (!std::isnan(a[k])) {
        EXPECT_NEAR(a[k], b[k], 1e-5) << name << " cell " << k;
      }
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Demos, FactorSessions,
                         ::testing::Values("transformer", "mamba2", "hybrid", "tests/fixtures/mamba-tiny",
                                           "tests/fixtures/falcon_mamba-tiny", "tests/fixtures/jamba-tiny"),
                         [](const auto& info) {
                           std::string n = fs::path(info.param).filename().string();
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

// Beyond 256 tokens the overview pools: each cell is its block's largest |weight|, sign kept.
TEST(FactorSessionOverview, LongPromptsArePooledByTheLargestWeight) {
  const fs::path dir = fs::temp_directory_path() / ("attnscope-overview-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto loaded = load_for_running(resource_dir() / "models" / "mamba2", LoadOptions{});
  std::vector<int64_t> ids;
  for (int i = 0; i < 300; ++i) ids.push_back(5 + (i * 37) % 200);
  const session::SessionReader r(record(*loaded, prompt_from_ids(*loaded, ids), dir / "long.h5", StoreMaps::None));
  const int row = r.rows_with_maps().back();
  ASSERT_EQ(r.overview_size(row), 256);
  const auto map = r.read_head(row, 1), overview = r.read_overview(row, 1);
  const int64_t L = 300;
  std::vector<float> expected(256 * 256, 0.f);
  std::vector<bool> seen(expected.size(), false);
  for (int64_t i = 0; i < L; ++i)
    for (int64_t j = 0; j <= i; ++j) {
      const size_t k = static_cast<size_t>(i * 256 / L) * 256 + static_cast<size_t>(j * 256 / L);
      if (!seen[k] || std::abs(map[i * L + j]) > std::abs(expected[k])) expected[k] = map[i * L + j], seen[k] = true;
    }
  for (size_t k = 0; k < expected.size(); ++k) ASSERT_NEAR(overview[k], expected[k], 1e-6) << k;
  fs::remove_all(dir);
}

// A GPT-2 session of 1100 tokens without maps: attention runs in blocks of
// queries and the session summarises the rows it shows (every layer but the
// last, which attends from its last query only). Every layer's overview and
// metrics equal those computed afresh from the factors the session stored.
TEST(FactorSessionOverview, LongSoftmaxSummariesEqualThoseOfTheFactors) {
  const fs::path dir = fs::temp_directory_path() / ("attnscope-long-softmax-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  test_support::write_random_checkpoint({{"model_type", "gpt2"}, {"vocab_size", 97}, {"n_embd", 64}, {"n_layer", 3},
                                         {"n_head", 4}, {"n_positions", 1200}, {"layer_norm_epsilon", 1e-5},
                                         {"activation_function", "gelu_new"}},
                                        dir / "model");
  const auto loaded = load_for_running(dir / "model", LoadOptions{});
  std::vector<int64_t> ids;
  for (int i = 0; i < 1100; ++i) ids.push_back((i * 31 + i / 7) % 97);
  const session::SessionReader r(record(*loaded, prompt_from_ids(*loaded, ids), dir / "long.h5", StoreMaps::None));
  ASSERT_EQ(r.rows_with_maps().size(), 3u);
  const auto entropy = r.metric("row_entropy"), top1 = r.metric("top1_mass"), sharpness = r.metric("transition_sharpness");
  for (int row : r.rows_with_maps()) {
    ASSERT_FALSE(r.maps_stored(row));
    const int n = r.overview_size(row);
    const mixing::FactorSummaries want = mixing::summarise_factors(*r.factors(row), n);
    for (int h = 0; h < 4; ++h) {
      const auto overview = r.read_overview(row, h);
      ASSERT_EQ(overview.size(), want.heads[h].overview().size());
      for (size_t k = 0; k < overview.size(); ++k)
        ASSERT_NEAR(overview[k], want.heads[h].overview()[k], 1e-6) << "row " << row << " head " << h << " cell " << k;
      const size_t at = static_cast<size_t>(row) * entropy.max_heads + h;
      EXPECT_NEAR(entropy.values[at], want.heads[h].figures().entropy(), 1e-5) << "row " << row << " head " << h;
      EXPECT_NEAR(top1.values[at], want.heads[h].figures().top1(), 1e-6);
      EXPECT_NEAR(sharpness.values[at], want.heads[h].figures().sharpness(), 1e-5);
    }
  }
  fs::remove_all(dir);
}

// What `attnscope run` warns of before a session of one-channel Mamba-1
// heads on a long prompt: the cells the summaries visit, L (L + 1) / 2 for
// each channel of each layer; none with channels grouped, none for other mixers.
TEST(SessionCost, OneChannelMambaHeadsCountEveryChannelsCells) {
  ModelInfo mamba;
  for (int l = 0; l < 24; ++l) {
    LayerInfo layer;
    MixerInfo ssm;
    ssm.name = "ssm", ssm.kind = MixerKind::Mamba1Channel, ssm.heads = 1536;
    layer.mixers.push_back(ssm);
    mamba.layers.push_back(layer);
  }
  EXPECT_DOUBLE_EQ(one_channel_summary_cells(mamba, 8192, 1), 24.0 * 1536 * 8192 * 8193 / 2);  // 1.24 trillion
  EXPECT_DOUBLE_EQ(one_channel_summary_cells(mamba, 8192, 48), 0.0);
  ModelInfo hybrid = mamba;
  hybrid.layers[3].mixers[0].kind = MixerKind::SoftmaxAttention, hybrid.layers[3].mixers[0].heads = 12;
  EXPECT_DOUBLE_EQ(one_channel_summary_cells(hybrid, 100, 1), 23.0 * 1536 * 100 * 101 / 2);
}
