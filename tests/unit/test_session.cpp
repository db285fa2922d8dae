// HDF5 sessions: round trips, lazy reads, safe writes, and clear errors on
// files that are not sessions, truncated, or from a newer schema.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/session/exploration.h"
#include "core/session/ablation_cache.h"
#include "core/session/exploration_save.h"
#include "core/session/token_probabilities.h"
#include "core/session/half_float.h"
#include "core/session/session_reader.h"
#include "core/session/session_writer.h"
#include "core/util/error.h"

namespace fs = std::filesystem;
using namespace attnscope::session;
using attnscope::Error;

namespace {

// A causal row-stochastic map stack [heads, L, L] with a sharp diagonal head.
std::vector<float> causal_maps(int heads, int64_t L, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  std::vector<float> m(static_cast<size_t>(heads) * L * L, 0.f);
  for (int h = 0; h < heads; ++h)
    for (int64_t i = 0; i < L; ++i) {
      float sum = 0;
      for (int64_t j = 0; j <= i; ++j) sum += m[(h * L + i) * L + j] = h == 0 ? (i == j) : u(rng);
      for (int64_t j = 0; j <= i; ++j) m[(h * L + i) * L + j] /= sum;
    }
  return m;
}

MixerRecord attention(int layer, int heads) { return {layer, "attn", "softmax_attention", heads, "attention", 1, "direct", {}}; }

ModelRecord model_record(int layers, int heads) {
  ModelRecord m{"gpt2", "/models/x", R"({"model_type": "gpt2", "x": [1, Infinity]})", "float32", "cpu", {}, {}};
  for (int l = 0; l < layers; ++l) {
    m.layer_descriptions.push_back("attention");
    m.mixers.push_back(attention(l, heads));
  }
  return m;
}

PromptRecord prompt_record(int64_t L) {
  PromptRecord p;
  for (int64_t i = 0; i < L; ++i) {
    p.ids.push_back(i * 7 % 50);
    p.tokens.push_back(i % 3 ? "tok" + std::to_string(i) : "·héllo↵");
    p.text += p.tokens.back();
    p.byte_spans.push_back(i), p.byte_spans.push_back(i + 1);
  }
  return p;
}

class SessionTest : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("attnscope-session-" + std::to_string(::getpid()));
  void SetUp() override { fs::create_directories(dir); }
  void TearDown() override { fs::remove_all(dir); }
};

}  // namespace

TEST(HalfFloat, MatchesIeeeRoundingOnManyValues) {
  // Known bit patterns, including rounding to even, subnormals and overflow.
  EXPECT_EQ(float_to_half(1.0f), 0x3C00);
  EXPECT_EQ(float_to_half(-2.0f), 0xC000);
  EXPECT_EQ(float_to_half(65504.f), 0x7BFF);
  EXPECT_EQ(float_to_half(1e6f), 0x7C00);
  EXPECT_EQ(float_to_half(5.960464477539063e-08f), 0x0001);  // smallest subnormal
  EXPECT_EQ(float_to_half(1.0f + 1.0f / 2048), 0x3C00);      // halfway: rounds to even
  EXPECT_EQ(float_to_half(1.0f + 3.0f / 2048), 0x3C02);
  EXPECT_TRUE(std::isnan(half_to_float(float_to_half(NAN))));
  for (uint32_t h = 0; h < 0x7C00; ++h) {  // every finite positive half round-trips exactly
    ASSERT_EQ(float_to_half(half_to_float(static_cast<uint16_t>(h))), h) << h;
  }
}

TEST_F(SessionTest, RoundTripMapsAndMetadata) {
  const int64_t L = 300;  // not a multiple of the 256 tile: edge chunks are padded
  const int heads = 3;
  auto path = dir / "run.h5";
  auto w = SessionWriter::create(path);
  w.write_model(model_record(2, heads));
  w.write_prompt(prompt_record(L));
  std::vector<std::vector<float>> maps;
  for (int l = 0; l < 2; ++l) {
    maps.push_back(causal_maps(heads, L, 10 + l));
    w.write_maps(attention(l, heads), maps[l].data(), heads, L);
  }
  OutputRecord out;
  out.top = {{5, "·the", 0.5}, {9, "a", 0.25}};
  out.target = 5;
  out.target_logprob = std::log(0.5);
  out.final_logits = {1.f, 2.f, 3.f, 0.f, 0.5f, 4.f, 0.f, 0.f, 0.f, 2.5f};  // a vocabulary of 10: ids 5 and 9 are in it
  w.write_outputs(out);
  EXPECT_FALSE(fs::exists(path)) << "the target must not exist before commit";
  w.commit();
  ASSERT_TRUE(fs::exists(path));

  SessionReader r(path);
  EXPECT_EQ(r.header().schema_version, kSchemaWithoutFactors) << "without factors, schema-2 readers open it";
  EXPECT_EQ(r.model().family, "gpt2");
  EXPECT_EQ(r.model().config_json, model_record(2, heads).config_json);
  EXPECT_EQ(r.model().layer_descriptions.size(), 2u);
  EXPECT_EQ(r.model().mixers.size(), 2u);
  EXPECT_EQ(r.prompt().tokens, prompt_record(L).tokens);
  EXPECT_EQ(r.prompt().ids, prompt_record(L).ids);
  EXPECT_EQ(r.prompt().byte_spans, prompt_record(L).byte_spans);
  EXPECT_EQ(r.outputs().top.size(), 2u);
  EXPECT_EQ(r.outputs().top[0].token, "·the");
  EXPECT_EQ(r.outputs().final_logits, out.final_logits);
  EXPECT_EQ(r.rows_with_maps(), (std::vector<int>{0, 1}));
  EXPECT_EQ(r.maps_dtype(0), "float16");
  for (int l = 0; l < 2; ++l)
    for (int h = 0; h < heads; ++h) {
      auto got = r.read_head(l, h);
      ASSERT_EQ(got.size(), static_cast<size_t>(L * L));
      for (size_t k = 0; k < got.size(); ++k) {
        const float want = half_to_float(float_to_half(maps[l][h * L * L + k]));
        ASSERT_EQ(got[k], want) << "layer " << l << " head " << h << " cell " << k;
      }
    }
  auto tile = r.read_tile(1, 2, 250, 10, 40, 20);
  for (int64_t i = 0; i < 40; ++i)
    for (int64_t j = 0; j < 20; ++j)
      ASSERT_EQ(tile[i * 20 + j], half_to_float(float_to_half(maps[1][(2 * L + 250 + i) * L + 10 + j])));
  EXPECT_THROW(r.read_head(5, 0), Error);
  EXPECT_THROW(r.read_head(0, 3), Error);
}

TEST_F(SessionTest, Float32MapsAreExact) {
  auto path = dir / "f32.h5";
  WriteOptions opt;
  opt.float32 = true;
  auto w = SessionWriter::create(path, opt);
  w.write_model(model_record(1, 2));
  w.write_prompt(prompt_record(40));
  auto maps = causal_maps(2, 40, 3);
  w.write_maps(attention(0, 2), maps.data(), 2, 40);
  w.commit();
  SessionReader r(path);
  EXPECT_EQ(r.maps_dtype(0), "float32");
  auto got = r.read_head(0, 1);
  EXPECT_EQ(got, std::vector<float>(maps.begin() + 1600, maps.end()));
}

TEST_F(SessionTest, UncommittedWriterLeavesNothing) {
  auto path = dir / "cancelled.h5";
  {
    auto w = SessionWriter::create(path);
    w.write_model(model_record(1, 1));
  }  // destroyed without commit: a cancelled run
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir)) << "temporary file left behind";
}

TEST_F(SessionTest, AmendAddsAblationsWithoutDamage) {
  auto path = dir / "run.h5";
  auto maps = causal_maps(2, 20, 1);
  {
    auto w = SessionWriter::create(path);
    w.write_model(model_record(1, 2));
    w.write_prompt(prompt_record(20));
    w.write_maps(attention(0, 2), maps.data(), 2, 20);
    w.commit();
  }
  {
    auto w = SessionWriter::amend(path);
    AblationRecord a;
    a.spec = "0.1:zero";
    a.outputs.top = {{3, "x", 0.9}};
    a.target_logprob_delta = -1.5;
    int n = w.write_ablation(a);
    auto ablated = causal_maps(2, 20, 2);
    w.write_ablation_maps(n, attention(0, 2), ablated.data(), 2, 20);
    // Not committed: the original must be untouched.
  }
  EXPECT_TRUE(SessionReader(path).ablations().empty());
  {
    auto w = SessionWriter::amend(path);
    AblationRecord a;
    a.spec = "0.1:zero";
    a.target_logprob_delta = -1.5;
    w.write_ablation(a);
    a.spec = "0.0:mean";
    w.write_ablation(a);
    w.commit();
  }
  SessionReader r(path);
  ASSERT_EQ(r.ablations().size(), 2u);
  EXPECT_EQ(r.ablations()[1].spec, "0.0:mean");
  EXPECT_DOUBLE_EQ(r.ablations()[0].target_logprob_delta, -1.5);
  EXPECT_EQ(r.read_head(0, 1)[25], half_to_float(float_to_half(maps[400 + 25])));
}

// The exploration of a run (ablated heads, mode, target) changes by undoable
// steps; undoing back to what was saved is no change; a saved session gives
// back its last ablation, mode and target, and ablated maps written before
// their record (layer by layer, as run --ablate writes them) land in it.
TEST_F(SessionTest, ExplorationUndoesEachStepAndReopensWhatWasSaved) {
  Exploration e({{}, "zero", 5, ""});
  int changes = 0;
  e.on_change([&](const ExplorationState&) { ++changes; });
  e.toggle_ablation({1, 3, ""});
  e.toggle_ablation({0, 1, "ssm"});
  e.set_mode("mean");
  e.set_target(9);
  EXPECT_EQ(changes, 4);
  EXPECT_EQ(ablation_spec(e.state()), "0.ssm.1:mean,1.3:mean");
  EXPECT_TRUE(e.modified());
  EXPECT_EQ(e.undo_text(), "Target #9");
  e.undo();
  e.undo();
  EXPECT_EQ(e.state().mode, "zero");
  EXPECT_EQ(e.state().target, 5);
  EXPECT_EQ(e.redo_text(), "Ablate by mean");
  e.toggle_ablation({1, 3, ""});  // a new step drops what was undone
  EXPECT_FALSE(e.can_redo());
  EXPECT_EQ(e.undo_text(), "Restore head 1.3");
  EXPECT_EQ(ablation_spec(e.state()), "0.ssm.1:zero");
  e.mark_saved();
  EXPECT_FALSE(e.modified());
  e.set_mode("uniform");
  EXPECT_TRUE(e.modified());
  e.undo();
  EXPECT_FALSE(e.modified()) << "undoing back to the saved state is no change";
  EXPECT_THROW(e.set_mode("half"), std::invalid_argument);
  // A run is a step too: undo returns to the run before with what was explored on it.
  const ExplorationState before_run = e.state();
  e.start_run({{}, "zero", 11, "run-2.h5"});
  EXPECT_FALSE(e.modified()) << "a new run has nothing unsaved";
  EXPECT_EQ(e.undo_text(), "Run");
  e.undo();
  EXPECT_TRUE(e.state() == before_run);
  e.redo();
  EXPECT_EQ(e.state().run, "run-2.h5");
  EXPECT_EQ(e.state().target, 11);
  e.reset({});
  EXPECT_FALSE(e.can_undo());
  EXPECT_FALSE(e.modified());

  const int64_t L = 12;
  ModelRecord m = model_record(0, 0);
  m.layer_descriptions = {"attention + mamba2", "attention"};
  m.mixers = {attention(0, 2), {0, "ssm", "mamba2_ssd", 2, "mamba2", 1, "direct", {}}, attention(1, 2)};
  const auto maps = causal_maps(2, L, 4);
  auto path = dir / "explored.h5";
  {
    auto w = SessionWriter::create(path);
    w.write_model(m);
    w.write_prompt(prompt_record(L));
    for (const auto& mixer : m.mixers) w.write_maps(mixer, maps.data(), 2, L);
    OutputRecord out;
    out.top = {{3, "x", 0.9}};
    out.target = 3;
    w.write_outputs(out);
    AblationRecord first;
    first.spec = "1.0:zero";
    first.outputs.target = 3;
    w.write_ablation(first);
    const int n = w.next_ablation_index();
    EXPECT_EQ(n, 1);
    w.write_ablation_maps(n, m.mixers[2], maps.data(), 2, L);  // maps first, then the record
    AblationRecord last;
    last.spec = "0.ssm.1:mean,1.1:mean";
    last.outputs.target = 7;
    EXPECT_EQ(w.write_ablation(last, n), 1);
    w.commit();
  }
  SessionReader r(path);
  ASSERT_EQ(r.ablations().size(), 2u);
  EXPECT_TRUE(r.has_ablation_maps(1, 2));
  const ExplorationState reopened = exploration_of(r);
  EXPECT_EQ(ablation_spec(reopened), "0.ssm.1:mean,1.1:mean");
  EXPECT_EQ(reopened.target, 7);
}

// Saving an exploration: the chosen target becomes the session's (its log p
// from the stored distribution), each ablation is measured against it, the
// one on show is written last with its maps, tables are kept, and reopening
// gives the same exploration back. The source file is untouched.
TEST_F(SessionTest, SavedExplorationsReopenAsTheyWere) {
  const int64_t L = 10;
  const auto maps = causal_maps(2, L, 5);
  auto path = dir / "run.h5", saved = dir / "explored.h5";
  const std::vector<float> intact_logits = {2.f, 0.5f, -1.f, 0.f, 1.f};
  {
    auto w = SessionWriter::create(path);
    w.write_model(model_record(2, 2));
    w.write_prompt(prompt_record(L));
    w.write_maps(attention(0, 2), maps.data(), 2, L);
    w.write_maps(attention(1, 2), maps.data(), 2, L);
    OutputRecord out;
    out.top = {{0, "a", 0.6}};
    out.target = 0;
    out.final_logits = intact_logits;
    w.write_outputs(out);
    w.commit();
  }
  SessionReader source(path);
  ExplorationState state{{{0, 1, ""}}, "mean", 2, path.string()};
  AblatedRun earlier, shown;
  earlier.record.spec = "1.0:mean";
  earlier.record.outputs.final_logits = {1.f, 1.f, 1.f, 1.f, 1.f};
  shown.record.spec = "0.1:mean";
  shown.record.outputs.top = {{4, "e", 0.5}};
  shown.record.outputs.final_logits = {0.f, 0.f, 3.f, 0.f, 0.f};
  shown.map_row = 1, shown.maps = causal_maps(2, L, 6), shown.heads = 2;
  MetricRecord sweep{"sweep_delta_logprob", 2, 2, {0.f, -1.f, 0.5f, NAN}, "target c"};
  save_exploration(source, saved, state, {&earlier, &shown}, {sweep});

  SessionReader r(saved);
  EXPECT_EQ(r.outputs().target, 2);
  EXPECT_NEAR(r.outputs().target_logprob, *log_probability(intact_logits, 2), 1e-9);
  ASSERT_EQ(r.ablations().size(), 2u);
  EXPECT_EQ(r.ablations()[1].spec, "0.1:mean");
  EXPECT_EQ(r.ablations()[1].outputs.target, 2);
  EXPECT_NEAR(r.ablations()[1].target_logprob_delta,
              *log_probability(shown.record.outputs.final_logits, 2) - *log_probability(intact_logits, 2), 1e-6);
  EXPECT_TRUE(r.has_ablation_maps(1, 1));
  EXPECT_FALSE(r.has_ablation_maps(0, 1));
  EXPECT_EQ(r.metric("sweep_delta_logprob").values[1], -1.f);
  const ExplorationState reopened = exploration_of(r);
  EXPECT_EQ(ablation_spec(reopened), "0.1:mean");
  EXPECT_EQ(reopened.target, 2);
  EXPECT_EQ(SessionReader(path).outputs().target, 0) << "the source is untouched";
  EXPECT_TRUE(SessionReader(path).ablations().empty());
}

// The ablation cache: results filed per run and per captured row, found
// again exactly or (for a saved session) by spec alone; saving puts the one
// on show last; a saved session's ablations come back with their maps.
TEST_F(SessionTest, AblationCacheFilesResultsPerRunAndRow) {
  const int64_t L = 6;
  AblationCache cache;
  AblatedRun a;
  a.record.spec = "0.1:zero";
  a.record.outputs.top = {{3, "d", 0.4}};
  a.map_row = 1, a.heads = 2, a.maps = causal_maps(2, L, 9);
  cache.add("run-1", a);
  AblatedRun b = a;
  b.record.spec = "1.0:zero", b.map_row = -1, b.maps.clear();
  cache.add("run-1", b);
  EXPECT_EQ(cache.find("run-1", "0.1:zero", 1)->heads, 2);
  EXPECT_EQ(cache.find("run-1", "0.1:zero", 0), nullptr) << "another row's maps were not captured";
  EXPECT_NE(cache.find("run-1", "0.1:zero", 0, true), nullptr);
  EXPECT_EQ(cache.find("run-2", "0.1:zero", 1), nullptr) << "another run has its own results";
  EXPECT_EQ(cache.token_text("run-1", 3).value_or(""), "d");
  EXPECT_EQ(cache.find("run-1", "0.1:zero", 1)->head_map(1, L)[L + 1], a.maps[L * L + L + 1]);
  EXPECT_EQ(cache.find("run-1", "0.1:zero", 1)->head_map(2, L), nullptr);

  const auto shown = cache.find("run-1", "0.1:zero", 1);
  const auto saved = cache.to_save("run-1", shown);
  ASSERT_EQ(saved.size(), 2u);
  EXPECT_EQ(saved.back(), shown.get());

  auto path = dir / "run.h5", explored = dir / "explored.h5";
  {
    auto w = SessionWriter::create(path);
    w.write_model(model_record(2, 2));
    w.write_prompt(prompt_record(L));
    const auto maps = causal_maps(2, L, 5);
    w.write_maps(attention(0, 2), maps.data(), 2, L);
    w.write_maps(attention(1, 2), maps.data(), 2, L);
    w.write_outputs(OutputRecord{});
    w.commit();
  }
  save_exploration(SessionReader(path), explored, {{{0, 1, ""}}, "zero", -1, path.string()}, saved, {});
  AblationCache reopened;
  const auto last = reopened.load_saved(SessionReader(explored), explored.string());
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->spec(), "0.1:zero");
  ASSERT_EQ(last->map_row, 1);
  for (int64_t k = 0; k < 2 * L * L; ++k)
    EXPECT_NEAR(last->maps[k], a.maps[k], 1e-3) << "stored as float16";
  EXPECT_NE(reopened.find(explored.string(), "1.0:zero", -1), nullptr);
}

// A stranger's session whose ablation spec is not one AttnScope writes, or
// names a head the model lacks, is refused as damaged when it is opened.
TEST_F(SessionTest, MalformedAblationSpecsAreRefused) {
  for (const std::string spec : {"x.1:zero", "0.1", "0.1:half", "0.att.1:zero", "0.1:zero,0.1:mean", "3.0:zero", "0.9:zero", ""}) {
    auto path = dir / "hostile.h5";
    {
      auto w = SessionWriter::create(path);
      w.write_model(model_record(1, 2));
      w.write_prompt(prompt_record(8));
      AblationRecord a;
      a.spec = spec;
      w.write_ablation(a);
      w.commit();
    }
    try {
      SessionReader r(path);
      ADD_FAILURE() << "accepted '" << spec << "'";
    } catch (const attnscope::Error& e) {
      EXPECT_NE(std::string(e.what()).find("damaged session"), std::string::npos) << spec << ": " << e.what();
    }
  }
  std::set<HeadKey> heads;
  std::string mode;
  ASSERT_TRUE(read_ablation_spec("0.1:zero,2.ssm.3:mean", &heads, &mode));
  EXPECT_EQ(heads.size(), 2u);
  EXPECT_EQ(mode, "mean");
}

TEST_F(SessionTest, ClearErrorsForBadFiles) {
  auto expect_msg = [](const fs::path& p, const std::string& fragment) {
    try {
      SessionReader r(p);
      FAIL() << "opened " << p;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(p.filename().string()), std::string::npos) << e.what();
    }
  };
  std::ofstream(dir / "text.h5") << "hello, not hdf5";
  expect_msg(dir / "text.h5", "not an HDF5 file");
  expect_msg(dir / "missing.h5", "no such session file");

  auto good = dir / "good.h5";
  {
    auto w = SessionWriter::create(good);
    w.write_model(model_record(1, 2));
    w.write_prompt(prompt_record(300));
    auto maps = causal_maps(2, 300, 4);
    w.write_maps(attention(0, 2), maps.data(), 2, 300);
    w.commit();
  }
  // Truncated: half the bytes.
  const auto size = fs::file_size(good);
  fs::copy_file(good, dir / "cut.h5");
  fs::resize_file(dir / "cut.h5", size / 2);
  try {
    SessionReader r(dir / "cut.h5");
    r.read_head(0, 1);
    FAIL() << "truncated session read without error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cut.h5"), std::string::npos) << e.what();
  }
  // Newer schema.
  fs::copy_file(good, dir / "newer.h5");
  {
    attnscope::session::H5Id f(H5Fopen((dir / "newer.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    write_int_attr(f, "schema_version", kSchemaVersion + 1);
  }
  expect_msg(dir / "newer.h5", "newer AttnScope");
  // An HDF5 file that is not a session.
  {
    attnscope::session::H5Id f(H5Fcreate((dir / "other.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  }
  expect_msg(dir / "other.h5", "not an AttnScope session");
}

TEST_F(SessionTest, H5dumpReadsTheFile) {
  auto path = dir / "dump.h5";
  auto w = SessionWriter::create(path);
  w.write_model(model_record(1, 2));
  w.write_prompt(prompt_record(8));
  auto maps = causal_maps(2, 8, 5);
  w.write_maps(attention(0, 2), maps.data(), 2, 8);
  w.commit();
  const auto out = dir / "dump.txt";
  const std::string cmd = "h5dump -d /mixing/layer_000/attn " + path.string() + " > " + out.string() + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "h5dump failed (is hdf5-tools installed?)";
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("DATASPACE  SIMPLE { ( 2, 8, 8 )"), std::string::npos) << text.substr(0, 400);
  EXPECT_NE(text.find("(0,0,0): 1, 0, 0"), std::string::npos) << text.substr(0, 800);
}

// A hybrid layer: attention and an SSM side by side, a row each; a layer with
// no mixer (an MLP block) has none; ablated maps are kept per mixer.
TEST_F(SessionTest, LayersWithSeveralMixersOrNone) {
  const int64_t L = 24;
  auto path = dir / "hybrid.h5";
  ModelRecord m = model_record(0, 0);
  m.layer_descriptions = {"attention + mamba2", "mlp", "mamba2"};
  m.mixers = {attention(0, 2), {0, "ssm", "mamba2_ssd", 4, "mamba2", 1, "direct", {}}, {2, "ssm", "mamba2_ssd", 3, "mamba2", 1, "direct", {}}};
  const auto a0 = causal_maps(2, L, 1), s0 = causal_maps(4, L, 2), s2 = causal_maps(3, L, 3);
  {
    auto w = SessionWriter::create(path);
    w.write_model(m);
    w.write_prompt(prompt_record(L));
    w.write_maps(m.mixers[0], a0.data(), 2, L);
    w.write_maps(m.mixers[1], s0.data(), 4, L);
    w.write_maps(m.mixers[2], s2.data(), 3, L);
    AblationRecord a;
    a.spec = "0.ssm.1:zero";
    const int n = w.write_ablation(a);
    w.write_ablation_maps(n, m.mixers[1], s0.data(), 4, L);
    w.commit();
  }
  SessionReader r(path);
  const auto& model = r.model();
  ASSERT_EQ(model.mixers.size(), 3u);
  EXPECT_EQ(model.row_label(0), "0.attn");
  EXPECT_EQ(model.row_label(1), "0.ssm");
  EXPECT_EQ(model.row_label(2), "2");
  EXPECT_EQ(model.find_row(0, "ssm"), 1);
  EXPECT_EQ(model.find_row(0), -1) << "layer 0 has two mixers: a name is needed";
  EXPECT_EQ(model.find_row(1), -1) << "layer 1 mixes no tokens";
  EXPECT_EQ(model.find_row(2), 2);
  EXPECT_EQ(model.mixers_in_layer(0), 2);
  EXPECT_EQ(r.rows_with_maps(), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(r.mixer(1).heads, 4);
  EXPECT_EQ(r.read_head(1, 3)[5 * L + 2], half_to_float(float_to_half(s0[(3 * L + 5) * L + 2])));
  EXPECT_EQ(r.read_head(0, 1)[5 * L + 2], half_to_float(float_to_half(a0[(1 * L + 5) * L + 2])));
  ASSERT_EQ(r.ablations().size(), 1u);
  EXPECT_EQ(r.ablations()[0].map_rows, (std::vector<int>{1}));
  EXPECT_TRUE(r.has_ablation_maps(0, 1));
  EXPECT_FALSE(r.has_ablation_maps(0, 0));
}

// Sessions of schema 1 (one map per layer at /mixing/layer_NNN, per-layer
// tables in /model) still open: made here by rewriting a schema-2 file into
// exactly that layout.
TEST_F(SessionTest, Schema1SessionsStillOpen) {
  const int64_t L = 16;
  auto path = dir / "old.h5";
  const auto maps0 = causal_maps(2, L, 7), maps1 = causal_maps(2, L, 8);
  {
    auto w = SessionWriter::create(path);
    w.write_model(model_record(2, 2));
    w.write_prompt(prompt_record(L));
    w.write_maps(attention(0, 2), maps0.data(), 2, L);
    w.write_maps(attention(1, 2), maps1.data(), 2, L);
    w.commit();
  }
  {
    H5Id f(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
    write_int_attr(f, "schema_version", 1);
    H5Id model(H5Gopen2(f, "model", H5P_DEFAULT));
    for (const char* name : {"mixer_layers", "mixer_names", "mixer_kinds", "mixer_heads", "mixer_descriptions",
                             "mixer_channels_per_head", "mixer_views"})
      ASSERT_GE(H5Ldelete(model, name, H5P_DEFAULT), 0);
    write_string_dataset(model, "layer_kinds", {"softmax_attention", "softmax_attention"});
    write_int64_dataset(model, "layer_heads", {2, 2});
    for (const char* layer : {"layer_000", "layer_001"}) {
      const std::string group = std::string("/mixing/") + layer;
      ASSERT_GE(H5Lmove(f, (group + "/attn").c_str(), f, "/mixing/moved", H5P_DEFAULT, H5P_DEFAULT), 0);
      ASSERT_GE(H5Ldelete(f, group.c_str(), H5P_DEFAULT), 0);
      ASSERT_GE(H5Lmove(f, "/mixing/moved", f, group.c_str(), H5P_DEFAULT, H5P_DEFAULT), 0);
    }
  }
  SessionReader r(path);
  EXPECT_EQ(r.header().schema_version, 1);
  ASSERT_EQ(r.model().mixers.size(), 2u);
  EXPECT_EQ(r.mixer(1).name, "attn");
  EXPECT_EQ(r.model().row_label(1), "1");
  EXPECT_EQ(r.rows_with_maps(), (std::vector<int>{0, 1}));
  EXPECT_EQ(r.read_head(1, 1)[3 * L + 1], half_to_float(float_to_half(maps1[(L + 3) * L + 1])));
}
