// The G&A scores on hand-made maps, task segments in tokens, and the scan on
// the bundled Transformer demo: its intact row is the plain accuracy,
// resuming from residuals changes nothing, shards add up to the whole scan,
// keeping every head is the intact run, its top aggregate head carries letters,
// and a head that writes nothing is never taken for the top aggregate head.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>

#include "bundled_demo.h"
#include "core/ablation/head_scan.h"
#include "core/io/checkpoint.h"
#include "core/io/safetensors.h"
#include "core/io/safetensors_writer.h"
#include "core/mixing/ga_scores.h"
#include "core/models/registry.h"
#include "core/runtime/resources.h"
#include "core/tasks/scoring.h"

using namespace attnscope;

TEST(GatherAggregateScores, OnHandMadeMaps) {
  // L = 5; segment [1, 3]; the final row is row 4.
  std::vector<float> m(25, 0.0f);
  auto at = [&](int i, int j) -> float& { return m[i * 5 + j]; };
  at(3, 1) = 0.25f, at(3, 2) = 0.25f, at(3, 3) = 0.5f;  // half of row 3 on its segment's earlier tokens
  at(4, 3) = 0.75f, at(4, 0) = 0.25f;                    // three quarters of the final row on the segment end
  const mixing::MatrixRef ref{m.data(), 5};
  EXPECT_DOUBLE_EQ(mixing::gather_score(ref, {{1, 3}}), 0.5);
  EXPECT_DOUBLE_EQ(mixing::aggregate_score(ref, {{1, 3}}), 0.75);
  EXPECT_TRUE(std::isnan(mixing::gather_score(ref, {{2, 2}}))) << "one-token segments have nothing to gather";
  EXPECT_TRUE(std::isnan(mixing::aggregate_score(ref, {})));
  at(4, 3) = -0.75f;  // SSM maps are signed: magnitudes count
  EXPECT_DOUBLE_EQ(mixing::aggregate_score(ref, {{1, 3}}), 0.75);
}

namespace {
using test_support::bundled_demo;
using test_support::Demo;
Demo transformer_demo() { return bundled_demo("transformer"); }
std::map<std::string, double> by_condition(const ScanResult& r) {
  std::map<std::string, double> out;
  for (const auto& row : r.rows)
    out[std::to_string(row.condition.row) + "." + std::to_string(row.condition.head) + " " + row.condition.mode] = row.accuracy;
  return out;
}
}  // namespace

TEST(TaskSegments, OptionLinesEndAtTheirLastContentToken) {
  const auto demo = transformer_demo();
  for (const auto& name : tasks::task_names()) {
    const auto example = tasks::generate({name, 0}, 1, 5).front();
    const auto p = tasks::prepare_example(*demo.tokenizer, example);
    EXPECT_EQ(p.ids, demo.tokenizer->encode_ids(example.prompt())) << name;
    int expected = 0;
    for (const auto& piece : example.pieces) expected += piece.segment;
    EXPECT_EQ(static_cast<int>(p.segments.size()), expected) << name;
    for (const auto& s : p.segments) {
      ASSERT_LE(s.first, s.last);
      ASSERT_LT(s.last, static_cast<int64_t>(p.ids.size()));
    }
    if (name == "letters") {
      ASSERT_EQ(p.segments.size(), 4u);
      for (const auto& s : p.segments) {
        EXPECT_EQ(demo.tokenizer->decode({p.ids[s.last + 1]}), "\n") << "the newline follows the segment";
        EXPECT_NE(demo.tokenizer->decode({p.ids[s.last]}), "\n");
      }
      EXPECT_EQ(demo.tokenizer->decode({p.ids[p.segments[1].first]}), "B");
    }
  }
}

// The summary's averages: drops from the intact row over the rows asked for.
TEST(HeadScan, MeanDropCountsOnlyTheSelectedRows) {
  ScanResult r;
  const auto row = [](int layer, int head, const char* mode, double accuracy) {
    ScanRow x;
    x.condition.row = layer, x.condition.head = head, x.condition.mode = mode, x.accuracy = accuracy;
    return x;
  };
  r.rows = {row(0, 0, "zero", 0.25), row(0, 1, "zero", 0.75), row(0, 1, "random", 0.5)};
  EXPECT_TRUE(std::isnan(intact_accuracy(r))) << "a shard without the intact row has none";
  r.rows.insert(r.rows.begin(), row(-1, -1, "none", 0.9));
  EXPECT_DOUBLE_EQ(intact_accuracy(r), 0.9);
  const auto zero = mean_drop(r, [](const ScanRow& x) { return x.condition.mode == "zero"; });
  EXPECT_EQ(zero.rows, 2);
  EXPECT_NEAR(zero.drop, 0.4, 1e-12);  // (0.65 + 0.15) / 2
  const auto none = mean_drop(r, [](const ScanRow& x) { return x.condition.mode == "mean"; });
  EXPECT_EQ(none.rows, 0);
  EXPECT_EQ(none.drop, 0);
}

TEST(HeadScan, AgreesWithPlainRunsAndSplitsIntoShards) {
  const auto demo = transformer_demo();
  const auto examples = tasks::generate({"mqar", 0}, 24, 3);
  const auto& layers = demo.model->info().layers;
  ASSERT_EQ(layers.size(), 2u);
  const int heads = layers[1].mixers.at(0).heads;
  std::vector<int> every_head;
  std::string keep_label = "1.-1 keep:";
  for (int h = 0; h < heads; ++h) {
    every_head.push_back(h);
    keep_label += (h ? "+" : "") + std::to_string(h);
  }
  ScanOptions o;
  o.random_controls = 2;
  o.keep = {{1, every_head}};
  const ScanResult full = run_head_scan(*demo.model, *demo.tokenizer, examples, o);
  const auto rows = by_condition(full);
  ASSERT_EQ(full.rows.front().condition.mode, "none");
  EXPECT_DOUBLE_EQ(full.rows.front().accuracy, tasks::accuracy(*demo.model, *demo.tokenizer, examples));
  EXPECT_DOUBLE_EQ(rows.at(keep_label), full.rows.front().accuracy) << "keeping every head ablates nothing";
  // intact, every head of both layers in two modes, the keep row, two random heads
  EXPECT_EQ(full.rows.size(), 1u + (layers[0].mixers.at(0).heads + heads) * 2 + 1 + 2);

  // A zero-ablated head's accuracy equals a plain forward with that ablation.
  ForwardOptions f;
  f.ablations = {{0, 0, AblationMode::Zero}};
  EXPECT_DOUBLE_EQ(rows.at("0.0 zero"), tasks::accuracy(*demo.model, *demo.tokenizer, examples, f));

  o.resume_from_residuals = false;
  EXPECT_EQ(by_condition(run_head_scan(*demo.model, *demo.tokenizer, examples, o)), rows);
  o.resume_from_residuals = true;

  std::map<std::string, double> joined;
  for (int i = 0; i < 3; ++i) {
    o.shard_index = i;
    o.shard_count = 3;
    const auto part = by_condition(run_head_scan(*demo.model, *demo.tokenizer, examples, o));
    for (const auto& [k, v] : part) EXPECT_TRUE(joined.emplace(k, v).second) << k << " in two shards";
  }
  EXPECT_EQ(joined, rows);

  o = {};
  o.top_heads = 2;
  o.modes = {AblationMode::Zero};
  const auto top = run_head_scan(*demo.model, *demo.tokenizer, examples, o);
  ASSERT_EQ(top.rows.size(), 3u);
  EXPECT_GE(top.rows[1].aggregate_score, top.rows[2].aggregate_score) << "top heads come by aggregate score";
  EXPECT_THROW(parse_shard("3/3"), Error);
  EXPECT_THROW(parse_shard("1/4x"), Error) << "trailing text is refused, not ignored";
  EXPECT_EQ(parse_shard("1/4"), std::make_pair(1, 4));
}

// A scan stopped after some examples and resumed from its saved progress
// gives the rows, to the last bit, of one that never stopped; progress of
// another shard is refused; the planned condition count bounds the real one.
TEST(HeadScan, ResumesFromSavedProgressExactly) {
  const auto demo = transformer_demo();
  const auto examples = tasks::generate({"letters", 0}, 10, 5);
  ScanOptions o;
  o.random_controls = 3;
  o.shard_index = 1;
  o.shard_count = 2;
  std::vector<ScanProgress> saved;
  o.on_example_done = [&](const ScanProgress& p) { saved.push_back(p); };
  const ScanResult whole = run_head_scan(*demo.model, *demo.tokenizer, examples, o);
  ASSERT_EQ(saved.size(), examples.size());
  EXPECT_EQ(saved[3].examples_done, 4);
  EXPECT_EQ(shard_condition_count(whole.total_conditions, 1, 2), static_cast<int>(saved[3].tallies.size()))
      << "shard 1 of 2 holds every odd condition";
  EXPECT_EQ(whole.rows.size(), saved[3].tallies.size()) << "and not the intact row";
  EXPECT_LE(whole.total_conditions, planned_condition_count(*demo.model, o));

  o.on_example_done = nullptr;
  o.resume_from = &saved[3];
  std::vector<std::string> told;
  o.on_resume = [&](bool resumed, int done, const std::string& why) {
    told.push_back((resumed ? "resumed at " + std::to_string(done) : "ignored: " + why));
  };
  const ScanResult resumed = run_head_scan(*demo.model, *demo.tokenizer, examples, o);
  EXPECT_EQ(told, std::vector<std::string>{"resumed at 4"});
  EXPECT_EQ(saved[3].conditions_digest, whole.conditions_digest);
  ASSERT_EQ(resumed.rows.size(), whole.rows.size());
  for (size_t i = 0; i < whole.rows.size(); ++i) {
    EXPECT_EQ(resumed.rows[i].accuracy, whole.rows[i].accuracy);
    EXPECT_EQ(resumed.rows[i].mean_answer_logprob, whole.rows[i].mean_answer_logprob) << "sums carried exactly";
  }
  // Progress of other conditions is not used: the scan starts over and says why.
  ScanProgress foreign = saved[3];
  foreign.conditions_digest = "0123456789abcdef";
  o.resume_from = &foreign;
  told.clear();
  const ScanResult fresh = run_head_scan(*demo.model, *demo.tokenizer, examples, o);
  ASSERT_EQ(told.size(), 1u);
  EXPECT_NE(told[0].find("ignored: it was saved for other conditions"), std::string::npos) << told[0];
  for (size_t i = 0; i < whole.rows.size(); ++i) EXPECT_EQ(fresh.rows[i].mean_answer_logprob, whole.rows[i].mean_answer_logprob);
}

// The bundled Mamba-2 demo solves letter retrieval; its scan runs on SSM
// heads, resuming from residuals changes nothing, and the top aggregate head
// is one that reads the option lines' ends.
TEST(HeadScan, RunsOnTheMamba2Demo) {
  const auto demo = bundled_demo("mamba2");
  const auto examples = tasks::generate({"letters", 4}, 40, 11);
  ScanOptions o;
  o.top_heads = 3;
  o.random_controls = 2;
  const ScanResult scan = run_head_scan(*demo.model, *demo.tokenizer, examples, o);
  ASSERT_EQ(scan.rows.front().condition.mode, "none");
  EXPECT_GE(scan.rows.front().accuracy, 0.9) << "the demo model was trained to solve letters";
  EXPECT_GT(scan.rows[1].aggregate_score, 0.2) << "the top head reads the segment ends";
  o.resume_from_residuals = false;
  EXPECT_EQ(by_condition(run_head_scan(*demo.model, *demo.tokenizer, examples, o)), by_condition(scan));
}

// The bundled Transformer demo solves letters; zeroing its top aggregate
// head leaves about chance (25%), while every head that is not a G&A head
// (gather and aggregate scores both under 0.5) is spare: zeroed alone, each
// costs under 5 points (docs/ga-report.md).
TEST(HeadScan, TheTransformerDemosTopAggregateHeadCarriesLetters) {
  const auto demo = transformer_demo();
  const auto examples = tasks::generate({"letters", 4}, 100, 17);
  ScanOptions o;
  o.modes = {AblationMode::Zero};
  o.random_controls = 5;
  const ScanResult scan = run_head_scan(*demo.model, *demo.tokenizer, examples, o);
  ASSERT_EQ(scan.rows.front().condition.mode, "none");
  const double intact = scan.rows.front().accuracy;
  EXPECT_GE(intact, 0.9) << "the demo model was trained to solve letters";
  const auto top_head = heads_by_aggregate(scan.scores).front();
  const ScanRow& top = *std::find_if(scan.rows.begin(), scan.rows.end(), [&](const ScanRow& r) {
    return r.condition.row == top_head.first && r.condition.head == top_head.second;
  });
  EXPECT_GT(top.aggregate_score, 0.5) << "the top head's final row sits on the option lines' ends";
  EXPECT_LE(top.accuracy, 0.4) << "zeroing head " << top.condition.row << "." << top.condition.head
                               << " should leave about chance";
  int spare = 0;
  for (size_t i = 1; i < scan.rows.size(); ++i) {
    const ScanRow& r = scan.rows[i];
    if (r.condition.mode == "random") {
      EXPECT_FALSE(is_ga_head(scan.scores, r.condition.row, r.condition.head)) << "controls are not G&A heads";
      EXPECT_GT(r.accuracy, intact - 0.05) << "random control " << r.condition.row << "." << r.condition.head;
      continue;
    }
    if (&r == &top || is_ga_head(scan.scores, r.condition.row, r.condition.head)) continue;
    ++spare;
    EXPECT_GT(r.accuracy, intact - 0.05) << "head " << r.condition.row << "." << r.condition.head << " is not a G&A head";
  }
  EXPECT_GE(spare, 5) << "most of the demo's eight heads are not G&A heads";
}

// A G&A head reads its segment or the segment ends with at least half its
// weight, and writes; NaN scores and silent heads are not G&A heads.
TEST(HeadScan, GaHeadsAreThoseWhosePatternReadsTheSegments) {
  HeadScores s;
  s.gather = {{0.5, 0.49, NAN, 0.9}};
  s.aggregate = {{0.1, 0.2, 0.6, NAN}};
  EXPECT_TRUE(is_ga_head(s, 0, 0)) << "gather score at the threshold";
  EXPECT_FALSE(is_ga_head(s, 0, 1));
  EXPECT_TRUE(is_ga_head(s, 0, 2)) << "aggregate score alone";
  EXPECT_FALSE(is_ga_head(s, 1, 0)) << "a head outside the table";
  s.writes = {{0.5, 0.5, 0.5, 0.001}};  // head 0.3 writes under 1% of the strongest
  EXPECT_FALSE(is_ga_head(s, 0, 3)) << "a silent head carries nothing";
}

// Silent heads rank after every head that writes, whatever their pattern.
TEST(HeadScan, SilentHeadsRankAfterWritingOnes) {
  HeadScores s;
  s.aggregate = {{0.2, 0.9}, {0.5, NAN}};
  EXPECT_EQ(heads_by_aggregate(s).front(), std::make_pair(0, 1)) << "unmeasured writes: by pattern alone";
  s.writes = {{0.3, 0.001}, {0.6, 0.5}};  // head 0.1 writes under 1% of the strongest (0.6)
  EXPECT_TRUE(is_silent(s, 0, 1));
  EXPECT_FALSE(is_silent(s, 0, 0));
  EXPECT_FALSE(is_silent(s, 5, 0)) << "a head outside the table is not called silent";
  EXPECT_EQ(silent_head_count(s), 1);
  const std::vector<std::pair<int, int>> expected = {{1, 0}, {0, 0}, {0, 1}, {1, 1}};
  EXPECT_EQ(heads_by_aggregate(s), expected) << "writing heads by score, then the silent one, NaN last";
}

// The demo with head 0.0's output projection zeroed: the head keeps its
// pattern (and its aggregate score) but writes exactly nothing, so the scan
// measures it as silent and picks another head as the top aggregate head.
TEST(HeadScan, AHeadWithoutOutputIsNotTheTopAggregateHead) {
  namespace fs = std::filesystem;
  const fs::path src = resource_dir() / "models" / "transformer";
  const fs::path dir = fs::temp_directory_path() / ("attnscope-silent-head-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* f : {"config.json", "tokenizer.json"}) fs::copy_file(src / f, dir / f);
  const auto intact_demo = transformer_demo();
  const int heads = intact_demo.model->info().layers[0].mixers.at(0).heads;
  {
    io::SafetensorsFile file(src / "model.safetensors");
    io::SafetensorsWriter w;
    for (const auto& t : file.tensors()) {
      const auto v = file.view(t.name);
      std::vector<uint8_t> bytes(v.data, v.data + v.nbytes);
      if (t.name == "model.layers.0.self_attn.o_proj.weight") {
        ASSERT_EQ(t.dtype, io::DType::F32);
        auto* w32 = reinterpret_cast<float*>(bytes.data());
        const int64_t cols = t.shape[1], head_dim = cols / heads;  // the input columns split into heads
        for (int64_t r = 0; r < t.shape[0]; ++r) std::memset(w32 + r * cols, 0, head_dim * sizeof(float));
      }
      w.add(t.name, t.dtype, t.shape, bytes.data(), bytes.size());
    }
    w.write(dir / "model.safetensors");
  }
  const auto ck = io::Checkpoint::open(dir);
  const auto model = load_model(ck, LoadOptions{});
  const auto examples = tasks::generate({"letters", 4}, 20, 17);
  ScanOptions o;
  o.top_heads = 1;
  o.modes = {AblationMode::Zero};
  const ScanResult scan = run_head_scan(*model, *intact_demo.tokenizer, examples, o);
  ASSERT_EQ(scan.scores.writes.size(), 2u);
  EXPECT_EQ(scan.scores.writes[0][0], 0.0) << "a head with a zero output projection writes nothing";
  EXPECT_TRUE(is_silent(scan.scores, 0, 0));
  EXPECT_EQ(silent_head_count(scan.scores), 1);
  ASSERT_EQ(scan.rows.size(), 2u);
  EXPECT_FALSE(scan.rows[1].condition.row == 0 && scan.rows[1].condition.head == 0);
  EXPECT_GT(scan.scores.aggregate[0][0], scan.rows[1].aggregate_score) << "its pattern still scores highest";
  fs::remove_all(dir);
}
