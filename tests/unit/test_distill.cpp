// Retrieval-aware placement (core/train/distill.h): the student keeps every
// attention head it keeps bit-identical before distillation, its recurrent
// heads are SSD scans, the heads kept follow the selection (the scan's
// ranking, a seeded draw, whole layers), distillation runs end to end, and
// what cannot be distilled is refused with a clear message.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "bundled_demo.h"
#include "scratch_path.h"
#include "core/models/forward.h"
#include "core/models/registry.h"
#include "core/runtime/resources.h"
#include "core/train/distill.h"
#include "core/train/distill_checkpoint.h"
#include "core/util/error.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

// A fresh folder, created, for a student or for output folders inside it.
struct TempDir : test_support::ScratchPath {
  TempDir() : ScratchPath("attnscope-distill") { fs::create_directories(path); }
};

struct Captured {
  std::vector<at::Tensor> maps;
  at::Tensor logits;
};

Captured capture_all(const Model& model, const at::Tensor& ids) {
  Captured c;
  ForwardOptions o;
  o.capture_layer = [](int) { return true; };
  o.on_mixing = [&](int, int, const at::Tensor& m) { c.maps.push_back(m.clone()); };
  c.logits = run_forward(model, ids, o).logits;
  return c;
}

const char* kPrompt = "Question: Which option is candle?\nA. river stone\nB. tiger candle\nC. apple\nD. cloud lamp horse\nAnswer:";

}  // namespace

TEST(Distill, StudentKeepsItsAttentionHeadsBitIdenticalBeforeDistillation) {
  const auto demo = test_support::bundled_demo("transformer");
  const at::Tensor ids = at::tensor(demo.tokenizer->encode_ids(kPrompt), at::kLong);
  const Captured teacher = capture_all(*demo.model, ids);

  TempDir all_kept;
  train::write_student_checkpoint(demo.checkpoint, {}, all_kept.path);
  const auto same = load_model(io::Checkpoint::open(all_kept.path), LoadOptions{});
  const Captured converted = capture_all(*same, ids);
  EXPECT_TRUE(at::equal(converted.logits, teacher.logits)) << "conversion alone changes nothing";
  for (size_t l = 0; l < teacher.maps.size(); ++l) EXPECT_TRUE(at::equal(converted.maps[l], teacher.maps[l]));

  TempDir dir;
  train::write_student_checkpoint(demo.checkpoint, {{0, 1}, {0, 2}, {1, 0}}, dir.path);
  const auto student = load_model(io::Checkpoint::open(dir.path), LoadOptions{});
  EXPECT_EQ(student->info().layers[0].mixers[0].description, "attention (heads 1 and 2 mamba2 (SSD))");
  EXPECT_EQ(student->info().layers[0].mixers[0].head_kinds.at(1), MixerKind::Mamba2SSD);
  const Captured s = capture_all(*student, ids);
  for (int h : {0, 3}) EXPECT_TRUE(at::equal(s.maps[0][h], teacher.maps[0][h])) << "kept head 0." << h;
  const int64_t L = ids.size(0);
  for (int h : {1, 2}) {
    const at::Tensor m = s.maps[0][h];
    EXPECT_TRUE(at::equal(m.triu(1), at::zeros({L, L}))) << "causal";
    EXPECT_FALSE(at::allclose(m.sum(-1), at::ones({L}), 1e-3, 1e-3)) << "an SSD matrix, not a softmax";
    // (Its values against the float64 reference: fixture hybrid-tiny-attention-ssm-heads.)
  }
  EXPECT_FALSE(at::equal(s.logits, teacher.logits));
}

TEST(Distill, SelectionsChooseTheirHeads) {
  const std::vector<std::pair<int, int>> ranking = {{1, 2}, {0, 3}, {1, 0}, {0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 3}};
  const std::vector<double> drop = {0.5, 0.4, 0.3, 0.01, 0, 0, 0, 0};
  const std::vector<int> heads = {4, 4};
  using train::HeadSelection;
  EXPECT_EQ(train::choose_kept_heads(HeadSelection::Scan, 2, ranking, drop, heads, 1),
            (std::vector<std::pair<int, int>>{{0, 3}, {1, 2}}));
  EXPECT_EQ(train::choose_kept_heads(HeadSelection::Layers, 2, ranking, drop, heads, 1),
            (std::vector<std::pair<int, int>>{{1, 0}, {1, 1}})) << "layer 1 loses most together; its heads in order";
  EXPECT_EQ(train::choose_kept_heads(HeadSelection::Layers, 6, ranking, drop, heads, 1).size(), 6u);
  const auto random = train::choose_kept_heads(HeadSelection::Random, 3, ranking, drop, heads, 5);
  EXPECT_EQ(random.size(), 3u);
  auto shuffled = ranking;
  std::reverse(shuffled.begin(), shuffled.end());
  EXPECT_EQ(train::choose_kept_heads(HeadSelection::Random, 3, shuffled, drop, heads, 5), random) << "independent of the ranking";
  EXPECT_NE(train::choose_kept_heads(HeadSelection::Random, 3, ranking, drop, heads, 6), random) << "the seed draws";
  EXPECT_THROW(train::parse_head_selection("best"), Error);
}

TEST(Distill, RanksByTheScanDistillsAndWritesALoadableStudent) {
  TempDir dir;
  const fs::path out = dir.path / "student";
  train::DistillOptions o;
  o.source = resource_dir() / "models" / "transformer";
  o.out_dir = out;
  o.keep = 2;
  o.tasks = {{"letters", 4}};
  o.scan_examples = 40;
  o.steps = 4;
  o.batch = 4;
  o.eval_examples = 8;
  o.command = "test";
  const auto report = train::distill_heads(o);
  ASSERT_EQ(report.ranking.size(), 8u);
  // The demo's two G&A heads (docs/ga-report.md): zeroing either leaves chance.
  EXPECT_EQ(report.kept, (std::vector<std::pair<int, int>>{{0, 0}, {0, 3}}));
  EXPECT_GT(report.ranking_drop[1], 0.5);
  EXPECT_EQ(report.accuracy_after.count("letters:4"), 1u);
  const auto student = load_model(io::Checkpoint::open(out), LoadOptions{});
  EXPECT_EQ(student->info().layers[0].mixers[0].description, "attention (heads 1 and 2 mamba2 (SSD))");
  EXPECT_EQ(student->info().layers[1].mixers[0].head_kinds.size(), 4u);
  EXPECT_TRUE(fs::exists(out / "README.md"));

  // Refusals, nothing written.
  auto mamba = o;
  mamba.source = resource_dir() / "models" / "mamba2";
  mamba.out_dir = dir.path / "refused";
  try {
    train::distill_heads(mamba);
    ADD_FAILURE() << "distilled a Mamba-2 model";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("Llama-layout Transformer"), std::string::npos) << e.what();
  }
  auto too_many = o;
  too_many.keep = 9;
  too_many.out_dir = dir.path / "refused";
  try {
    train::distill_heads(too_many);
    ADD_FAILURE() << "kept more heads than there are";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("--keep must be 0 to 8"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir.path / "refused"));
}
