// Activation patching on the bundled demos: a patch from an identical run
// changes nothing; patching every head of a layer makes that layer's mixers
// give the clean run's outputs, and patching every head of every layer
// gives the clean answer back (the prompts differ before the last token);
// each sweep row equals that one patch run from the embeddings; patching a
// head at every position equals patching it whole; clear refusals.
#include <gtest/gtest.h>

#include <map>

#include "bundled_demo.h"
#include "core/ablation/activation_patching.h"
#include "core/models/forward.h"
#include "core/util/error.h"

using namespace attnscope;

namespace {
using test_support::bundled_demo;

at::Tensor ids_of(const io::Tokenizer& tok, const std::string& text) {
  return at::tensor(tok.encode_ids(text), at::TensorOptions().dtype(at::kLong));
}
const char* kClean = "Question: Alice saw B. Bob saw D. Who saw D?\nA B C D\nAnswer:";
const char* kCorrupted = "Question: Alice saw B. Bob saw D. Who saw B?\nA B C D\nAnswer:";

std::vector<HeadPatch> every_head(const ModelInfo& info, int layer) {
  std::vector<HeadPatch> patches;
  for (size_t m = 0; m < info.layers[layer].mixers.size(); ++m)
    for (int h = 0; h < info.layers[layer].mixers[m].heads; ++h) patches.push_back({layer, static_cast<int>(m), h, {}});
  return patches;
}

// Each mixer's output in `layer` ([1, L, d]) while running `run_it`.
std::vector<at::Tensor> mixer_outputs(int layer, const std::function<void(PatchRunOptions&)>& run_it) {
  std::vector<at::Tensor> outputs;
  PatchRunOptions o;
  o.watch_layer_call = [&](int l, LayerCall& call) {
    if (l != layer) return;
    outputs.resize(call.mixers.size());
    for (size_t m = 0; m < call.mixers.size(); ++m)
      call.mixers[m].on_output = [&outputs, m](at::Tensor& out) { outputs[m] = out.clone(); };
  };
  run_it(o);
  return outputs;
}
}  // namespace

class ActivationPatching : public ::testing::TestWithParam<std::string> {};

TEST_P(ActivationPatching, PatchFromAnIdenticalRunChangesNothing) {
  const auto demo = bundled_demo(GetParam());
  const at::Tensor ids = ids_of(*demo.tokenizer, kClean);
  const ActivationPatcher same(*demo.model, ids, ids, -1, -1, PatchDirection::CleanIntoCorrupted);
  ForwardOptions whole;
  whole.whole_final_layer = true;  // as the patcher runs
  const at::Tensor plain = run_forward(*demo.model, ids, whole).logits[-1].to(at::kDouble);
  const ModelInfo& info = demo.model->info();
  for (int layer = 0; layer < info.num_layers; ++layer) {
    PatchRunOptions from_embeddings;
    from_embeddings.resume_from_residuals = false;
    EXPECT_TRUE(at::equal(same.patched_logits(every_head(info, layer), from_embeddings), plain)) << "layer " << layer;
    EXPECT_TRUE(at::equal(same.patched_logits({{layer, 0, 0, {}}}), plain)) << "layer " << layer << ", resumed";
  }
}

TEST_P(ActivationPatching, EveryHeadOfALayerGivesTheCleanMixerOutputs) {
  const auto demo = bundled_demo(GetParam());
  const at::Tensor clean = ids_of(*demo.tokenizer, kClean), corrupted = ids_of(*demo.tokenizer, kCorrupted);
  ASSERT_EQ(clean.size(0), corrupted.size(0));
  const ModelInfo& info = demo.model->info();
  const ActivationPatcher patcher(*demo.model, clean, corrupted, -1, -1, PatchDirection::CleanIntoCorrupted);
  const ActivationPatcher clean_twice(*demo.model, clean, clean, -1, -1, PatchDirection::CleanIntoCorrupted);
  EXPECT_EQ(patcher.baseline().differing_positions.size(), 1u);
  for (int layer = 0; layer < info.num_layers; ++layer) {
    const auto clean_out = mixer_outputs(layer, [&](PatchRunOptions& o) { clean_twice.patched_logits({}, o); });
    const auto corrupted_out = mixer_outputs(layer, [&](PatchRunOptions& o) { patcher.patched_logits({}, o); });
    const auto patched_out =
        mixer_outputs(layer, [&](PatchRunOptions& o) { patcher.patched_logits(every_head(info, layer), o); });
    ASSERT_EQ(patched_out.size(), clean_out.size());
    for (size_t m = 0; m < clean_out.size(); ++m) {
      EXPECT_TRUE(at::allclose(patched_out[m], clean_out[m], 1e-5, 1e-6)) << "layer " << layer << " mixer " << m;
      EXPECT_FALSE(at::allclose(corrupted_out[m], clean_out[m], 1e-5, 1e-6)) << "the test must bite";
    }
  }
  // Every head of every layer: the last position's residual is the clean one.
  std::vector<HeadPatch> all;
  for (int layer = 0; layer < info.num_layers; ++layer)
    for (const auto& p : every_head(info, layer)) all.push_back(p);
  const double ld = patcher.logit_diff(patcher.patched_logits(all));
  EXPECT_NEAR(ld, patcher.baseline().clean_logit_diff, 1e-4);
  EXPECT_NEAR(patcher.recovered(ld), 1.0, 1e-4);
  const ActivationPatcher noising(*demo.model, clean, corrupted, -1, -1, PatchDirection::CorruptedIntoClean);
  EXPECT_NEAR(noising.logit_diff(noising.patched_logits(all)), noising.baseline().corrupted_logit_diff, 1e-4);
}

TEST_P(ActivationPatching, SweepRowsAreSinglePatchesFromTheEmbeddings) {
  const auto demo = bundled_demo(GetParam());
  const at::Tensor clean = ids_of(*demo.tokenizer, kClean), corrupted = ids_of(*demo.tokenizer, kCorrupted);
  const ActivationPatcher patcher(*demo.model, clean, corrupted, -1, -1, PatchDirection::CleanIntoCorrupted);
  const auto& b = patcher.baseline();
  EXPECT_NE(b.target, b.foil);
  EXPECT_EQ(b.target, run_forward(*demo.model, clean).logits[-1].argmax().item<int64_t>());
  const auto rows = mixer_rows(demo.model->info());
  const auto sweep = patcher.sweep_heads();
  int heads = 0;
  for (const auto& r : rows) heads += r.info.heads;
  ASSERT_EQ(static_cast<int>(sweep.size()), heads);
  PatchRunOptions from_embeddings;
  from_embeddings.resume_from_residuals = false;
  for (const auto& row : sweep) {
    const double ld = patcher.logit_diff(patcher.patched_logits({{row.layer, rows[row.row].mixer, row.head, {}}}, from_embeddings));
    EXPECT_NEAR(row.logit_diff, ld, 1e-4) << row.label << "." << row.head;
    EXPECT_NEAR(row.recovered, (ld - b.corrupted_logit_diff) / (b.clean_logit_diff - b.corrupted_logit_diff), 1e-4);
  }
  // Positions: a head patched at every position is the head patched whole.
  const auto& first = sweep.front();
  std::vector<int64_t> every_position;
  for (int64_t i = 0; i < clean.size(0); ++i) every_position.push_back(i);
  EXPECT_TRUE(at::equal(patcher.patched_logits({{first.layer, rows[first.row].mixer, first.head, every_position}}),
                        patcher.patched_logits({{first.layer, rows[first.row].mixer, first.head, {}}})));
  const auto positions = patcher.sweep_positions(first.layer, rows[first.row].mixer, first.head);
  ASSERT_EQ(static_cast<int64_t>(positions.size()), clean.size(0));
  for (int64_t p : {int64_t(0), clean.size(0) - 1})
    EXPECT_NEAR(positions[p].logit_diff,
                patcher.logit_diff(patcher.patched_logits({{first.layer, rows[first.row].mixer, first.head, {p}}},
                                                          from_embeddings)),
                1e-4);
}

INSTANTIATE_TEST_SUITE_P(Demos, ActivationPatching, ::testing::Values("transformer", "mamba2", "hybrid"));

TEST(ActivationPatchingErrors, RefusalsSayWhy) {
  const auto demo = bundled_demo("transformer");
  const at::Tensor clean = ids_of(*demo.tokenizer, kClean);
  const at::Tensor longer = ids_of(*demo.tokenizer, std::string(kClean) + " B");
  try {
    ActivationPatcher(*demo.model, clean, longer, -1, -1, PatchDirection::CleanIntoCorrupted);
    FAIL() << "unequal lengths must be refused";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("equal token length"), std::string::npos) << e.what();
  }
  const ActivationPatcher same(*demo.model, clean, clean, -1, -1, PatchDirection::CleanIntoCorrupted);
  EXPECT_THROW(same.recovered(0.5), Error);  // nothing to recover
  EXPECT_THROW(same.patched_logits({{0, 0, 99, {}}}), Error);
  EXPECT_THROW(same.patched_logits({{0, 0, 0, {9999}}}), Error);
  EXPECT_THROW(ActivationPatcher(*demo.model, clean, clean, 5, 5, PatchDirection::CleanIntoCorrupted), Error);
}
