// Maps recomputed from their factors (core/session/map_factors.h) against a
// direct float64 evaluation of their definitions, tile by tile; sessions
// that keep factors instead of maps read back the same heads; a stranger's
// factors that do not fit the model are refused as damaged.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <tuple>

#include "core/mixing/map_summary.h"
#include "core/session/map_factors.h"
#include "core/session/selective_maps.h"
#include "core/session/session_reader.h"
#include "core/session/session_writer.h"
#include "core/util/error.h"

namespace fs = std::filesystem;
using namespace attnscope::session;

namespace {

std::vector<float> normal(size_t n, std::mt19937& rng, float sd) {
  std::normal_distribution<float> d(0.f, sd);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// Mamba-1: 6 heads of 2 channels each (B and C shared), a step input of rank 4.
void add_selective(MapFactors& f, std::mt19937& rng, int channels_per_head) {
  f.groups = 1, f.channels_per_head = channels_per_head, f.dt_rank = 4;
  const int64_t D = f.channels();
  f.left = normal(static_cast<size_t>(f.length * f.dim), rng, 0.7f);
  f.right = normal(static_cast<size_t>(f.length * f.dim), rng, 0.7f);
  f.dt_input = normal(static_cast<size_t>(f.length * f.dt_rank), rng, 0.5f);
  f.dt_weight = normal(static_cast<size_t>(D * f.dt_rank), rng, 0.5f);
  f.dt_bias = normal(static_cast<size_t>(D), rng, 0.5f);
  for (float& b : f.dt_bias) b -= 2.f;  // steps around 0.1, as trained models have
  std::uniform_real_distribution<float> rate(0.05f, 4.f);
  f.A.resize(static_cast<size_t>(D * f.dim));
  for (float& a : f.A) a = -rate(rng);
}

// Softmax with grouped-query keys (6 heads on 2 kv heads), SSD with 2 B/C groups, or selective.
MapFactors random_factors(FactorForm form, int64_t L, unsigned seed, int channels_per_head = 2) {
  std::mt19937 rng(seed);
  MapFactors f;
  f.form = form;
  f.heads = 6, f.groups = 2, f.length = L, f.dim = 16;
  if (form == FactorForm::Selective) {
    add_selective(f, rng, channels_per_head);
    return f;
  }
  if (form == FactorForm::Softmax) {
    f.scale = 0.25;
    f.left = normal(static_cast<size_t>(f.heads * L * f.dim), rng, 1.5f);
  } else {
    f.left = normal(static_cast<size_t>(f.groups * L * f.dim), rng, 0.5f);
    std::uniform_real_distribution<double> step(0.01, 0.3);
    f.log_decay_cumsum.resize(static_cast<size_t>(f.heads * L));
    f.weight.resize(static_cast<size_t>(f.heads * L));
    for (int h = 0; h < f.heads; ++h) {
      double cum = 0;
      for (int64_t i = 0; i < L; ++i) {
        cum -= step(rng);
        f.log_decay_cumsum[h * L + i] = cum;
        f.weight[h * L + i] = static_cast<float>(step(rng));
      }
    }
  }
  f.right = normal(static_cast<size_t>(f.groups * L * f.dim), rng, form == FactorForm::Softmax ? 1.5f : 0.5f);
  return f;
}

// Channel d's step at position p in float64: softplus(dt_input . dt_weight + dt_bias), PyTorch's threshold.
double reference_step(const MapFactors& f, int64_t d, int64_t p) {
  double x = f.dt_bias[d];
  for (int64_t r = 0; r < f.dt_rank; ++r) x += static_cast<double>(f.dt_input[p * f.dt_rank + r]) * f.dt_weight[d * f.dt_rank + r];
  return x > 20 ? x : std::log1p(std::exp(x));
}

// A selective head's cell in float64: each channel's step summed one position at a time.
double selective_cell(const MapFactors& f, int h, int64_t i, int64_t j) {
  const auto step = [&](int64_t d, int64_t p) { return reference_step(f, d, p); };
  double sum = 0;
  for (int64_t d = h * f.channels_per_head; d < (h + 1) * f.channels_per_head; ++d) {
    double gap = 0;
    for (int64_t p = j + 1; p <= i; ++p) gap += step(d, p);
    for (int64_t n = 0; n < f.dim; ++n)
      sum += static_cast<double>(f.left[i * f.dim + n]) * f.right[j * f.dim + n] * step(d, j) *
             std::exp(f.A[d * f.dim + n] * gap);
  }
  return sum / f.channels_per_head;
}

// M[i, j] straight from the definitions in map_factors.h, in float64.
double reference_cell(const MapFactors& f, int h, int64_t i, int64_t j) {
  if (j > i) return 0;
  if (f.form == FactorForm::Selective) return selective_cell(f, h, i, j);
  const int g = h / (f.heads / f.groups);
  const float* a = f.left.data() + ((f.form == FactorForm::Softmax ? h : g) * f.length + i) * f.dim;
  const auto dot = [&](int64_t key) {
    const float* b = f.right.data() + (g * f.length + key) * f.dim;
    double s = 0;
    for (int64_t d = 0; d < f.dim; ++d) s += static_cast<double>(a[d]) * b[d];
    return s;
  };
  if (f.form == FactorForm::Ssd)
    return dot(j) * std::exp(f.log_decay_cumsum[h * f.length + i] - f.log_decay_cumsum[h * f.length + j]) *
           f.weight[h * f.length + j];
  double norm = 0;
  for (int64_t key = 0; key <= i; ++key) norm += std::exp(f.scale * dot(key));
  return std::exp(f.scale * dot(j)) / norm;
}

class MapFactorsTest : public ::testing::TestWithParam<FactorForm> {};

}  // namespace

TEST_P(MapFactorsTest, HeadsAndTilesMatchTheDefinition) {
  const MapFactors f = random_factors(GetParam(), 70, 3);
  ASSERT_TRUE(f.consistent());
  for (int h : {0, 2, 5}) {
    const auto whole = compute_head(f, h);
    double worst = 0;
    for (int64_t i = 0; i < f.length; ++i)
      for (int64_t j = 0; j < f.length; ++j)
        worst = std::max(worst, std::abs(whole[i * f.length + j] - reference_cell(f, h, i, j)));
    EXPECT_LT(worst, 2e-6) << "head " << h;
    // A tile alone, with and without the head's row normalisers, is that part of the whole.
    const auto normalisers = row_log_normalisers(f, h);
    for (const std::vector<float>* given : {static_cast<const std::vector<float>*>(nullptr), &normalisers}) {
      std::vector<float> tile(13 * 21);
      compute_tile(f, h, 40, 9, 13, 21, tile.data(), given);
      for (int64_t r = 0; r < 13; ++r)
        for (int64_t c = 0; c < 21; ++c) EXPECT_NEAR(tile[r * 21 + c], whole[(40 + r) * f.length + 9 + c], 1e-6);
    }
  }
  std::vector<float> out(4);
  EXPECT_THROW(compute_tile(f, 6, 0, 0, 2, 2, out.data()), std::out_of_range);
  EXPECT_THROW(compute_tile(f, 0, 69, 0, 2, 2, out.data()), std::out_of_range);
}

// A session with factors and no maps: every head reads back as recomputed
// (float32), tiles too, and it says schema 3; maps and factors together read the stored maps.
TEST_P(MapFactorsTest, SessionsKeepFactorsInsteadOfMaps) {
  const fs::path dir = fs::temp_directory_path() / ("attnscope-factors-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const MapFactors f = random_factors(GetParam(), 40, 5);
  const FactorForm form = GetParam();
  const bool ssm = form != FactorForm::Softmax;
  const MixerRecord mixer{0,        ssm ? "ssm" : "attn",
                          form == FactorForm::Ssd ? "mamba2_ssd" : ssm ? "mamba1_channel" : "softmax_attention",
                          6,        "mixer",
                          f.channels_per_head, "direct", {}};
  ModelRecord model{"gpt2", "/models/x", "{}", "float32", "cpu", {"layer"}, {mixer}};
  PromptRecord prompt;
  for (int64_t i = 0; i < f.length; ++i) prompt.ids.push_back(i), prompt.tokens.push_back("t" + std::to_string(i));
  {
    auto w = SessionWriter::create(dir / "factors.h5");
    w.write_model(model);
    w.write_prompt(prompt);
    w.write_factors(mixer, f);
    w.commit();
  }
  SessionReader r(dir / "factors.h5");
  EXPECT_EQ(r.header().schema_version, 3);
  EXPECT_TRUE(r.has_maps(0));
  EXPECT_FALSE(r.maps_stored(0));
  EXPECT_EQ(r.maps_dtype(0), "float32");
  EXPECT_EQ(r.rows_with_maps(), std::vector<int>{0});
  for (int h = 0; h < 6; ++h) EXPECT_EQ(r.read_head(0, h), compute_head(f, h)) << "head " << h;
  const auto tile = r.read_tile(0, 4, 30, 2, 10, 5);
  const auto whole = compute_head(f, 4);
  for (int64_t k = 0; k < 50; ++k) EXPECT_NEAR(tile[k], whole[(30 + k / 5) * 40 + 2 + k % 5], 1e-6);
  EXPECT_THROW(r.read_tile(0, 6, 0, 0, 1, 1), attnscope::Error);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Forms, MapFactorsTest,
                         ::testing::Values(FactorForm::Softmax, FactorForm::Ssd, FactorForm::Selective),
                         [](const auto& info) { return factor_form_name(info.param); });

// Factors that do not fit the model and prompt, or a /factors group in a file
// that claims an older schema, are refused with one message naming the problem.
TEST(MapFactorsFiles, StrangersFactorsThatDoNotFitAreRefused) {
  const fs::path dir = fs::temp_directory_path() / ("attnscope-factors-bad-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const MixerRecord mixer{0, "attn", "softmax_attention", 6, "mixer", 1, "direct", {}};
  ModelRecord model{"gpt2", "/models/x", "{}", "float32", "cpu", {"layer"}, {mixer}};
  PromptRecord prompt;
  for (int64_t i = 0; i < 20; ++i) prompt.ids.push_back(i), prompt.tokens.push_back("t");
  const auto write = [&](const std::string& name, const MapFactors& f, const MixerRecord& as) {
    auto w = SessionWriter::create(dir / name);
    ModelRecord m = model;
    m.mixers = {as};
    if (as.name != mixer.name) m.mixers = {mixer};  // a group naming a mixer the model lacks
    w.write_model(m);
    w.write_prompt(prompt);
    w.write_factors(as, f);
    w.commit();
  };
  write("long.h5", random_factors(FactorForm::Softmax, 25, 1), mixer);  // 25 tokens of factors, a 20-token prompt
  MixerRecord other = mixer;
  other.name = "ssm";
  write("stranger.h5", random_factors(FactorForm::Softmax, 20, 1), other);
  write("ok.h5", random_factors(FactorForm::Softmax, 20, 1), mixer);
  MixerRecord channels = mixer;
  channels.kind = "mamba1_channel";
  write("kind.h5", random_factors(FactorForm::Softmax, 20, 1), channels);
  for (const auto& [name, says] : std::vector<std::pair<std::string, std::string>>{
           {"long.h5", "as the model and prompt say"},
           {"stranger.h5", "names no mixer of layer 0"},
           {"kind.h5", "holds softmax factors for a mamba1_channel mixer"}}) {
    try {
      SessionReader r(dir / name);
      ADD_FAILURE() << name << " was accepted";
    } catch (const attnscope::Error& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("damaged session"), std::string::npos) << e.what();
    }
  }
  // The same file relabelled as schema 2 (whose readers know no factors), with
  // an unknown form, or with an array where one number belongs (read into one variable, it would overrun it).
  for (const std::string change : {"schema", "form", "array"}) {
    fs::copy_file(dir / "ok.h5", dir / (change + ".h5"), fs::copy_options::overwrite_existing);
    const hid_t file = H5Fopen((dir / (change + ".h5")).c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(file, 0);
    if (change == "schema") {
      write_int_attr(file, "schema_version", 2);
    } else {
      const hid_t g = H5Gopen2(file, "/factors/layer_000/attn", H5P_DEFAULT);
      if (change == "form") {
        write_string_attr(g, "form", "cubic");
      } else {
        H5Adelete(g, "dim");
        const hsize_t n = 64;
        const hid_t space = H5Screate_simple(1, &n, nullptr);
        const hid_t attr = H5Acreate2(g, "dim", H5T_NATIVE_INT64, space, H5P_DEFAULT, H5P_DEFAULT);
        const std::vector<int64_t> values(n, 16);
        H5Awrite(attr, H5T_NATIVE_INT64, values.data());
        H5Aclose(attr);
        H5Sclose(space);
      }
      H5Gclose(g);
    }
    H5Fclose(file);
    EXPECT_THROW(SessionReader(dir / (change + ".h5")), attnscope::Error) << change;
  }
  fs::remove_all(dir);
}

// Past one block of rows (1024): tiles that straddle the block boundary, and
// sampled cells of the whole map, against the definitions.
TEST(MapFactorsBlocks, TilesAcrossRowBlocksMatchTheDefinition) {
  for (const FactorForm form : {FactorForm::Softmax, FactorForm::Ssd, FactorForm::Selective}) {
    const MapFactors f = random_factors(form, 1100, 7);
    const auto whole = compute_head(f, 3);
    std::mt19937 rng(11);
    std::uniform_int_distribution<int64_t> cell(0, f.length - 1);
    for (int n = 0; n < 200; ++n) {
      const int64_t i = cell(rng), j = cell(rng) % (i + 1);
      EXPECT_NEAR(whole[i * f.length + j], reference_cell(f, 3, i, j), 2e-6) << factor_form_name(form) << " " << i << "," << j;
    }
    const auto normalisers = row_log_normalisers(f, 3);
    for (const std::vector<float>* given : {static_cast<const std::vector<float>*>(nullptr), &normalisers}) {
      std::vector<float> tile(60 * 70);
      compute_tile(f, 3, 1000, 980, 60, 70, tile.data(), given);  // rows 1000..1059 cross 1024
      for (int64_t r = 0; r < 60; ++r)
        for (int64_t c = 0; c < 70; ++c)
          ASSERT_NEAR(tile[r * 70 + c], whole[(1000 + r) * f.length + 980 + c], 1e-6) << factor_form_name(form) << " " << r << "," << c;
    }
  }
}

// Selective factors with a decay rate that is not negative (the kernel's
// exponents would turn positive), a step input that is not finite, or for a Mamba-1 mixer recorded in the
// effective view (whose maps fold in the conv and gate), are damage.
TEST(MapFactorsFiles, StrangersSelectiveFactorsAreRefused) {
  const fs::path dir = fs::temp_directory_path() / ("attnscope-selective-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  PromptRecord prompt;
  for (int64_t i = 0; i < 20; ++i) prompt.ids.push_back(i), prompt.tokens.push_back("t");
  const auto write_and_open = [&](const std::string& name, const MapFactors& f, const std::string& view) {
    const MixerRecord mixer{0, "ssm", "mamba1_channel", 6, "channels", 2, view, {}};
    {
      auto w = SessionWriter::create(dir / name);
      w.write_model(ModelRecord{"mamba", "/models/x", "{}", "float32", "cpu", {"layer"}, {mixer}});
      w.write_prompt(prompt);
      w.write_factors(mixer, f);
      w.commit();
    }
    SessionReader r(dir / name);
    return r.read_head(0, 1);
  };
  const MapFactors good = random_factors(FactorForm::Selective, 20, 2);
  EXPECT_EQ(write_and_open("good.h5", good, "direct"), compute_head(good, 1));
  MapFactors rising = good, poisoned = good;
  rising.A[7] = 0.5f;
  poisoned.dt_input[3] = std::numeric_limits<float>::quiet_NaN();
  for (const auto& [name, f, view, says] :
       std::vector<std::tuple<std::string, MapFactors, std::string, std::string>>{
           {"rising.h5", rising, "direct", "not a negative number"},
           {"poisoned.h5", poisoned, "direct", "not finite"},
           {"effective.h5", good, "effective", "effective view"}}) {
    try {
      write_and_open(name, f, view);
      ADD_FAILURE() << name << " was accepted";
    } catch (const attnscope::Error& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("damaged session"), std::string::npos) << e.what();
    }
  }
  fs::remove_all(dir);
}

// Mamba-1 maps are summed in chunks of positions split at chunk boundaries;
// with fast decays (large |A| dt) most of a long map underflows. Every cell
// stays finite and sampled cells, near the diagonal and far from it, in
// tiles that start and end inside chunks, match the definition.
TEST(MapFactorsBlocks, SelectiveMapsStayExactWithFastDecays) {
  MapFactors f = random_factors(FactorForm::Selective, 700, 13);
  for (float& a : f.A) a *= 12;  // rates up to 48
  for (float& b : f.dt_bias) b += 2.5f;  // steps around 1
  const auto whole = compute_head(f, 4);
  for (const float v : whole) ASSERT_TRUE(std::isfinite(v));
  std::mt19937 rng(3);
  std::uniform_int_distribution<int64_t> cell(0, f.length - 1);
  for (int n = 0; n < 150; ++n) {
    const int64_t i = cell(rng), j = n % 3 == 0 ? std::max<int64_t>(0, i - n % 7) : cell(rng) % (i + 1);
    EXPECT_NEAR(whole[i * f.length + j], reference_cell(f, 4, i, j), 2e-6) << i << "," << j;
  }
  std::vector<float> tile(90 * 150);
  compute_tile(f, 4, 301, 170, 90, 150, tile.data());
  for (int64_t r = 0; r < 90; ++r)
    for (int64_t c = 0; c < 150; ++c) ASSERT_NEAR(tile[r * 150 + c], whole[(301 + r) * f.length + 170 + c], 1e-6) << r << "," << c;
}

// SSD heads of long prompts decay far below what float holds: the kernel
// clamps decays below e^-300 (glibc's vector exp is slow past -708), sets
// those cells to 0, and a block of rows takes no product for columns that
// vanish from all its rows, nor for its future. With decays from 0 down to
// -3250 over 1300 positions (two blocks of rows), every cell of the whole map
// and of tiles that start at a later column, reach into the second block,
// or lie wholly in the future equals dot * exp(gap) * w in float64, rounded to float.
TEST(MapFactorsBlocks, SsdCellsOfVanishingDecaysAreExactZeros) {
  MapFactors f = random_factors(FactorForm::Ssd, 1300, 17);
  const int head = 3, g = f.group_of(head);
  for (int64_t i = 0; i < f.length; ++i) f.log_decay_cumsum[head * f.length + i] = -2.5 * i;
  // The cell in float64 rounded to float, and how far float's rounding of its dot may take it.
  const auto reference = [&](int64_t i, int64_t j, double* tolerance) {
    *tolerance = 0;
    if (j > i) return 0.f;
    double dot = 0, size = 0;
    for (int64_t d = 0; d < f.dim; ++d) {
      const double term = static_cast<double>(f.left[(g * f.length + i) * f.dim + d]) * f.right[(g * f.length + j) * f.dim + d];
      dot += term, size += std::abs(term);
    }
    const double gap = f.log_decay_cumsum[head * f.length + i] - f.log_decay_cumsum[head * f.length + j];
    const double scale = std::exp(gap) * f.weight[head * f.length + j];
    *tolerance = 1e-6 * size * std::abs(scale) + 1e-38;
    return static_cast<float>(dot * scale);
  };
  const auto whole = compute_head(f, head);
  int vanished = 0, kept = 0;
  double tolerance = 0;
  for (int64_t i = 0; i < f.length; ++i)
    for (int64_t j = 0; j < f.length; ++j) {
      const float want = reference(i, j, &tolerance);
      if (j <= i) (want == 0.f ? vanished : kept)++;
      ASSERT_NEAR(whole[i * f.length + j], want, tolerance) << i << "," << j;
    }
  EXPECT_GT(vanished, 600000);  // most of the map, as in a long prompt
  EXPECT_GT(kept, 50000);
  struct Tile { int64_t r0, c0, rows, cols; };
  for (const Tile t : {Tile{400, 100, 200, 500}, Tile{1000, 30, 300, 1270}, Tile{100, 700, 100, 300}}) {
    std::vector<float> tile(static_cast<size_t>(t.rows * t.cols));
    compute_tile(f, head, t.r0, t.c0, t.rows, t.cols, tile.data());
    for (int64_t r = 0; r < t.rows; ++r)
      for (int64_t c = 0; c < t.cols; ++c) {
        const int64_t i = t.r0 + r, j = t.c0 + c;
        const float want = reference(i, j, &tolerance);  // before the tolerance is read
        ASSERT_NEAR(tile[r * t.cols + c], want, tolerance) << "tile at " << t.r0 << "," << t.c0 << ": " << i << "," << j;
      }
  }
}

// Heads of many (channel, state) pairs take the kernel's other path: BLAS
// products over chunks of 256 positions, each chunk against itself cut into
// chunks of 64 and 16. With steady and with fast decays, sampled cells and a
// tile that starts and ends inside chunks match the definition.
TEST(MapFactorsBlocks, WideSelectiveHeadsMatchTheDefinitionAcrossChunkLevels) {
  for (const float faster : {1.f, 12.f}) {
    MapFactors f = random_factors(FactorForm::Selective, 700, 29, 8);  // 8 channels x 16 states: 128 pairs a head
    for (float& a : f.A) a *= faster;
    const auto whole = compute_head(f, 2);
    for (const float v : whole) ASSERT_TRUE(std::isfinite(v));
    std::mt19937 rng(5);
    std::uniform_int_distribution<int64_t> cell(0, f.length - 1);
    double worst = 0;
    for (int n = 0; n < 200; ++n) {
      const int64_t i = cell(rng), j = n % 3 == 0 ? std::max<int64_t>(0, i - n % 23) : cell(rng) % (i + 1);
      worst = std::max(worst, std::abs(whole[i * f.length + j] - reference_cell(f, 2, i, j)));
    }
    EXPECT_LT(worst, 2e-6) << "rates x " << faster;
    std::vector<float> tile(300 * 220);
    compute_tile(f, 2, 250, 40, 300, 220, tile.data());  // rows across the 256 boundary, columns inside chunks
    for (int64_t r = 0; r < 300; ++r)
      for (int64_t c = 0; c < 220; ++c)
        ASSERT_NEAR(tile[r * 220 + c], whole[(250 + r) * f.length + 40 + c], 1e-6) << r << "," << c;
  }
}

// A wide head's column chunks far before a row chunk's split reach it by
// factors e^{A (cum_p - cum_e)} that underflow to exactly 0 for its fast
// (channel, state) pairs and not for its slow ones; the kernel leaves the
// former out of those chunks' products. Head 1's rates spread from 0.003 to
// 30 (steps near 0.3), so 1024 positions back some pairs are gone and some
// not; head 2's are all fast (5 to 30), so far chunks lose every pair and take
// no product at all. Every cell, of the whole map and of a far region computed
// band by band, equals the float64 sum within float rounding of the sum of
// its terms' magnitudes: leaving out a pair still alive (which carries the
// far cells) would fail.
TEST(MapFactorsBlocks, WideSelectiveProductsLeaveOutOnlyPairsThatUnderflow) {
  MapFactors f = random_factors(FactorForm::Selective, 1300, 41, 8);  // 8 channels x 16 states: 128 pairs a head
  const int64_t L = f.length, N = f.dim, per_head = f.channels_per_head;
  for (int64_t d = 0; d < f.channels(); ++d) {
    f.dt_bias[d] = -1.f;  // steps near softplus(-1) = 0.31
    const float t = float((d % per_head) * N) / float(per_head * N - 1);
    for (int64_t n = 0; n < N; ++n) {
      const float u = t + float(n) / float(per_head * N - 1);
      f.A[d * N + n] = d / per_head == 2 ? -(5.f + 25.f * u) : -0.003f * std::pow(10000.f, u);
    }
  }
  for (const int head : {1, 2}) {
    const int64_t first = head * per_head;
    // Each channel's steps and running sums in float64, from the definition.
    std::vector<double> step(static_cast<size_t>(L * per_head)), cum(step.size());
    for (int64_t c = 0; c < per_head; ++c) {
      double sum = 0;
      for (int64_t p = 0; p < L; ++p) {
        step[p * per_head + c] = reference_step(f, first + c, p);
        cum[p * per_head + c] = sum += step[p * per_head + c];
      }
    }
    const auto cell = [&](int64_t i, int64_t j, double* magnitude) {
      double sum = 0, size = 0;
      for (int64_t c = 0; c < per_head; ++c) {
        const double gap = cum[i * per_head + c] - cum[j * per_head + c];
        for (int64_t n = 0; n < N; ++n) {
          const double exponent = f.A[(first + c) * N + n] * gap;
          const double term = static_cast<double>(f.left[i * N + n]) * f.right[j * N + n] * step[j * per_head + c] *
                              std::exp(exponent) / per_head;
          // The kernel's exponents are floats measured from a chunk's start (up to
          // 16 steps of 0.3 back near the diagonal): a few ulps of |A| x 5 each.
          sum += term, size += std::abs(term) * (1 + std::abs(f.A[(first + c) * N + n]));
        }
      }
      *magnitude = size;
      return sum;
    };
    // The case this is about: 1024 positions back, some pairs underflow and some do not (head 2: all do).
    int gone = 0, alive = 0;
    for (int64_t c = 0; c < per_head; ++c)
      for (int64_t n = 0; n < N; ++n)
        (f.A[(first + c) * N + n] * (cum[1279 * per_head + c] - cum[255 * per_head + c]) < -87 ? gone : alive)++;
    ASSERT_GT(gone, 10) << "head " << head;
    if (head == 1) ASSERT_GT(alive, 10);
    else ASSERT_EQ(alive, 0);

    const auto whole = compute_head(f, head);
    const auto check = [&](int64_t i, int64_t j, float got, const char* where) {
      double magnitude = 0;
      const double want = cell(i, j, &magnitude);
      ASSERT_LE(std::abs(got - want), 2e-6 * magnitude + 1e-30)
          << "head " << head << ", " << where << " cell " << i << "," << j << ": " << got << " against " << want;
    };
    for (int64_t i = 0; i < L; ++i)
      for (int64_t j = 0; j <= i; ++j) check(i, j, whole[i * L + j], "whole map");
    // A region far below the diagonal, band by band with its columns kept, as the window draws it.
    const auto decays = channel_decays(f, head, 0, L);
    SelectiveColumns columns;
    const int64_t r0 = 1030, rows = 270, c0 = 10, cols = 500;
    std::vector<float> band(static_cast<size_t>(128 * cols));
    for (int64_t a = r0; a < r0 + rows; a += 128) {
      const int64_t n = std::min<int64_t>(128, r0 + rows - a);
      selective_tile(f.left.data(), f.right.data(), f.A.data(), N, decays, a, c0, n, cols, band.data(), &columns);
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < cols; ++j) check(a + i, c0 + j, band[i * cols + j], "region");
    }
  }
}

// The window computes a Mamba-1 region band by band, the region's columns
// (kept at their chunk's end) computed for its first band and handed to the
// next (SelectiveColumns). Every band then equals the map computed whole,
// for a region below the diagonal, one across it (later bands see more of
// the columns than the first), and when the same SelectiveColumns goes on to
// another head, more columns, another region (it must not hand on stale columns).
TEST(MapFactorsBlocks, WideSelectiveColumnsKeptFromBandToBandGiveTheSameCells) {
  MapFactors f = random_factors(FactorForm::Selective, 900, 31, 8);  // 128 pairs a head: the BLAS path
  const std::vector<std::vector<float>> wholes{compute_head(f, 1), compute_head(f, 2)};
  const std::vector<ChannelDecays> decays{channel_decays(f, 1, 0, f.length), channel_decays(f, 2, 0, f.length)};
  SelectiveColumns columns;
  struct Region { int head; int64_t r0, r1, c0, c1; };
  for (const Region& r : {Region{1, 600, 900, 40, 500}, Region{2, 600, 900, 40, 500}, Region{2, 600, 900, 40, 760},
                          Region{1, 200, 900, 130, 700}, Region{1, 520, 900, 300, 880}}) {
    const int64_t cols = r.c1 - r.c0;
    std::vector<float> band(static_cast<size_t>(100 * cols));
    for (int64_t a = r.r0; a < r.r1; a += 100) {  // bands of 100 rows: inside and across chunks of 256
      const int64_t rows = std::min<int64_t>(100, r.r1 - a);
      selective_tile(f.left.data(), f.right.data(), f.A.data(), f.dim, decays[r.head - 1], a, r.c0, rows, cols,
                     band.data(), &columns);
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
          ASSERT_NEAR(band[i * cols + j], wholes[r.head - 1][(a + i) * f.length + r.c0 + j], 1e-6)
              << "head " << r.head << " cell " << a + i << "," << r.c0 + j;
    }
  }
}

// A session summarises a wide Mamba-1 head block by block of rows, each
// block's columns kept for the next (which adds only those it newly
// reaches): figures and overview equal those of the head's whole map.
TEST(MapFactorsBlocks, WideSelectiveSummariesEqualThoseOfTheWholeMaps) {
  const MapFactors f = random_factors(FactorForm::Selective, 1300, 37, 8);  // three blocks of 512 rows
  const attnscope::mixing::FactorSummaries got = attnscope::mixing::summarise_factors(f, 64);
  ASSERT_EQ(got.heads.size(), static_cast<size_t>(f.heads));
  for (int h : {0, f.heads - 1}) {
    const auto map = compute_head(f, h);
    const auto want = attnscope::mixing::summarise_maps(map.data(), 1, f.length, 64);
    ASSERT_EQ(got.heads[h].overview().size(), want[0].overview().size());
    for (size_t k = 0; k < want[0].overview().size(); ++k)
      ASSERT_NEAR(got.heads[h].overview()[k], want[0].overview()[k], 1e-6) << "head " << h << " cell " << k;
    EXPECT_NEAR(got.heads[h].figures().entropy(), want[0].figures().entropy(), 1e-5) << "head " << h;
    EXPECT_NEAR(got.heads[h].figures().top1(), want[0].figures().top1(), 1e-6) << "head " << h;
    EXPECT_NEAR(got.heads[h].figures().sharpness(), want[0].figures().sharpness(), 1e-5) << "head " << h;
  }
}

// Softmax rows with their entropy terms: one pass gives the map, each row's
// normalisers and sum_j p log p, all as a direct evaluation gives them.
TEST(MapFactorsBlocks, SoftmaxRowsGiveTheirNormalisersAndEntropyTerms) {
  const MapFactors f = random_factors(FactorForm::Softmax, 1100, 5);
  const int64_t r0 = 1000, rows = 100, keys = r0 + rows;
  std::vector<float> block(static_cast<size_t>(rows * keys)), lse(static_cast<size_t>(2 * rows));
  std::vector<double> p_log_p(static_cast<size_t>(rows));
  softmax_rows_with_entropy(f, 2, r0, rows, block.data(), lse.data(), p_log_p.data());
  const auto normalisers = row_log_normalisers(f, 2);
  for (int64_t r = 0; r < rows; ++r) {
    double expected = 0;
    for (int64_t j = 0; j <= r0 + r; ++j) {
      const double p = reference_cell(f, 2, r0 + r, j);
      ASSERT_NEAR(block[r * keys + j], p, 2e-6) << r << "," << j;
      if (p > 0) expected += p * std::log(p);
    }
    EXPECT_NEAR(p_log_p[r], expected, 1e-5 * (1 + std::abs(expected))) << "row " << r0 + r;
    EXPECT_NEAR(lse[2 * r], normalisers[2 * (r0 + r)], 1e-5 * (1 + std::abs(normalisers[2 * (r0 + r)])));
    EXPECT_NEAR(lse[2 * r + 1], normalisers[2 * (r0 + r) + 1], 1e-6);
  }
  MapFactors ssd = random_factors(FactorForm::Ssd, 20, 5);
  EXPECT_THROW(softmax_rows_with_entropy(ssd, 0, 0, 5, block.data(), lse.data(), p_log_p.data()), std::invalid_argument);
}

// A session that keeps each softmax head's row normalisers serves a head's
// first tile from them (changing them changes the tile: they are used, not
// recomputed); normalisers that are not finite, of the wrong shape, or
// beside ssd factors are refused as damage.
TEST(MapFactorsFiles, StoredRowNormalisersServeTheFirstTile) {
  const fs::path dir = fs::temp_directory_path() / ("attnscope-factors-norm-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const int64_t L = 40;
  const MixerRecord attention{0, "attn", "softmax_attention", 6, "mixer", 1, "direct", {}};
  const MixerRecord ssm{0, "ssm", "mamba2_ssd", 6, "mixer", 1, "direct", {}};
  PromptRecord prompt;
  for (int64_t i = 0; i < L; ++i) prompt.ids.push_back(i), prompt.tokens.push_back("t");
  const MapFactors f = random_factors(FactorForm::Softmax, L, 9);
  std::vector<float> normalisers;
  for (int h = 0; h < f.heads; ++h) {
    const auto n = row_log_normalisers(f, h);
    normalisers.insert(normalisers.end(), n.begin(), n.end());
  }
  const auto write = [&](const std::string& name, const std::vector<float>& norms) {
    auto w = SessionWriter::create(dir / name);
    w.write_model(ModelRecord{"gpt2", "/models/x", "{}", "float32", "cpu", {"layer"}, {attention}});
    w.write_prompt(prompt);
    w.write_factors(attention, f, &norms);
    w.commit();
  };
  write("ok.h5", normalisers);
  auto shifted = normalisers;
  for (int64_t i = 0; i < L; ++i) shifted[(4 * L + i) * 2] += std::log(2.f);  // head 4: every row's max, so every row halved
  write("shifted.h5", shifted);
  auto nan = normalisers;
  nan[(4 * L + 7) * 2] = std::nanf("");
  write("nan.h5", nan);
  auto range = normalisers;
  range[(4 * L + 3) * 2 + 1] = 5.f;  // row 3's four weights cannot sum to e^5 times its largest
  write("range.h5", range);
  std::vector<float> expected(static_cast<size_t>(10 * 12));
  compute_tile(f, 4, 25, 3, 10, 12, expected.data());
  const auto ok = SessionReader(dir / "ok.h5").read_tile(0, 4, 25, 3, 10, 12);
  const auto halved = SessionReader(dir / "shifted.h5").read_tile(0, 4, 25, 3, 10, 12);
  for (size_t k = 0; k < expected.size(); ++k) {
    EXPECT_NEAR(ok[k], expected[k], 1e-6) << k;
    EXPECT_NEAR(halved[k], expected[k] / 2, 1e-6) << k;
  }
  for (const auto& [name, says] : std::vector<std::pair<std::string, std::string>>{
           {"nan.h5", "not finite"}, {"range.h5", "cannot sum to one"}}) {
    try {
      SessionReader(dir / name).read_tile(0, 4, 25, 3, 10, 12);
      ADD_FAILURE() << name << ": its normalisers were used";
    } catch (const attnscope::Error& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  }
  // The wrong shape, and normalisers beside ssd factors: refused when the file is opened.
  {
    auto w = SessionWriter::create(dir / "short.h5");
    w.write_model(ModelRecord{"gpt2", "/models/x", "{}", "float32", "cpu", {"layer"}, {attention}});
    w.write_prompt(prompt);
    w.write_factors(attention, f);
    w.commit();
    const hid_t file = H5Fopen((dir / "short.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t g = H5Gopen2(file, "/factors/layer_000/attn", H5P_DEFAULT);
    const hsize_t dims[3] = {6, static_cast<hsize_t>(L - 1), 2};
    const hid_t space = H5Screate_simple(3, dims, nullptr);
    const hid_t set = H5Dcreate2(g, "row_normalisers", H5T_NATIVE_FLOAT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(set, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, normalisers.data());
    H5Dclose(set), H5Sclose(space), H5Gclose(g), H5Fclose(file);
  }
  {
    auto w = SessionWriter::create(dir / "ssd.h5");
    w.write_model(ModelRecord{"mamba2", "/models/x", "{}", "float32", "cpu", {"layer"}, {ssm}});
    w.write_prompt(prompt);
    w.write_factors(ssm, random_factors(FactorForm::Ssd, L, 9));
    w.commit();
    const hid_t file = H5Fopen((dir / "ssd.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    const hid_t g = H5Gopen2(file, "/factors/layer_000/ssm", H5P_DEFAULT);
    const hsize_t dims[3] = {6, static_cast<hsize_t>(L), 2};
    const hid_t space = H5Screate_simple(3, dims, nullptr);
    const hid_t set = H5Dcreate2(g, "row_normalisers", H5T_NATIVE_FLOAT, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(set, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, normalisers.data());
    H5Dclose(set), H5Sclose(space), H5Gclose(g), H5Fclose(file);
  }
  for (const auto& [name, says] : std::vector<std::pair<std::string, std::string>>{
           {"short.h5", "as the model and prompt say"}, {"ssd.h5", "only softmax factors have"}}) {
    try {
      SessionReader r(dir / name);
      ADD_FAILURE() << name << " was accepted";
    } catch (const attnscope::Error& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  }
  fs::remove_all(dir);
}
