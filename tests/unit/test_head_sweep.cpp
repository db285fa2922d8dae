// The head sweep on the bundled demos: each head's change in log p(target)
// and KL equals a plain forward with that one head ablated, run from the
// embeddings; resuming from the residual stream changes nothing; a layer
// with two mixers (the hybrid demo's attention beside Mamba-2, where present)
// gets a row per mixer; the default target is the intact top-1.
#include <gtest/gtest.h>

#include <cmath>

#include "bundled_demo.h"
#include "core/ablation/head_sweep.h"
#include "core/models/forward.h"
#include "core/models/registry.h"

#include <filesystem>

using namespace attnscope;

namespace {
using test_support::bundled_demo;
at::Tensor ids_of(const io::Tokenizer& tok, const std::string& text) {
  const auto ids = tok.encode_ids(text);
  return at::tensor(ids, at::TensorOptions().dtype(at::kLong));
}
double last_logprob(const ForwardResult& r, int64_t token) {
  return at::log_softmax(r.logits[-1].to(at::kDouble), -1)[token].item<double>();
}
}  // namespace

class HeadSweep : public ::testing::TestWithParam<std::string> {};

TEST_P(HeadSweep, EachRowIsThatHeadAblatedAlone) {
  const auto demo = bundled_demo(GetParam());
  const at::Tensor ids = ids_of(*demo.tokenizer, "Question: Alice saw B. Bob saw D. Who saw D?\nA B C D\nAnswer:");
  SweepOptions o;
  const SweepResult sweep = run_head_sweep(*demo.model, ids, -1, o);

  const ForwardResult intact = run_forward(*demo.model, ids, ForwardOptions{});
  EXPECT_EQ(sweep.target, intact.logits[-1].argmax().item<int64_t>()) << "no target: the intact top-1";
  // The sweep's intact run records head outputs, so it computes the final layer whole (float rounding apart).
  EXPECT_NEAR(sweep.intact_logprob, last_logprob(intact, sweep.target), 1e-5);

  const auto rows = mixer_rows(demo.model->info());
  int heads = 0;
  for (const auto& r : rows) heads += r.info.heads;
  ASSERT_EQ(static_cast<int>(sweep.rows.size()), heads);
  const at::Tensor p = at::softmax(intact.logits[-1].to(at::kDouble), -1);
  for (const auto& row : sweep.rows) {
    ForwardOptions f;
    f.ablations = {HeadAblation(row.layer, row.head, AblationMode::Zero, rows[row.row].info.name)};
    const ForwardResult alone = run_forward(*demo.model, ids, f);  // from the embeddings
    const at::Tensor q = at::log_softmax(alone.logits[-1].to(at::kDouble), -1);
    EXPECT_NEAR(row.delta_logprob, last_logprob(alone, sweep.target) - sweep.intact_logprob, 1e-5)
        << row.label << "." << row.head;
    EXPECT_NEAR(row.kl, (p * (p.log() - q)).sum().item<double>(), 1e-5) << row.label << "." << row.head;
    EXPECT_GE(row.kl, -1e-12);
  }
  o.resume_from_residuals = false;
  const SweepResult from_embeddings = run_head_sweep(*demo.model, ids, sweep.target, o);
  for (size_t i = 0; i < sweep.rows.size(); ++i)
    EXPECT_NEAR(from_embeddings.rows[i].delta_logprob, sweep.rows[i].delta_logprob, 1e-5);
}

// Mean and uniform ablation too: mean ablation reuses the intact head outputs
// in batched runs, uniform ablation recomputes the map; both equal the
// plain forward with that head ablated.
TEST_P(HeadSweep, EveryModeEqualsPlainAblatedRuns) {
  const auto demo = bundled_demo(GetParam());
  const at::Tensor ids = ids_of(*demo.tokenizer, "Question: Alice saw B. Bob saw D. Who saw D?\nA B C D\nAnswer:");
  const auto rows = mixer_rows(demo.model->info());
  for (AblationMode mode : {AblationMode::Mean, AblationMode::Uniform}) {
    SweepOptions o;
    o.mode = mode;
    const SweepResult sweep = run_head_sweep(*demo.model, ids, -1, o);
    for (const auto& row : sweep.rows) {
      ForwardOptions f;
      f.ablations = {HeadAblation(row.layer, row.head, mode, rows[row.row].info.name)};
      const ForwardResult alone = run_forward(*demo.model, ids, f);
      EXPECT_NEAR(row.delta_logprob, last_logprob(alone, sweep.target) - sweep.intact_logprob, 1e-5)
          << ablation_mode_name(mode) << " " << row.label << "." << row.head;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Demos, HeadSweep, ::testing::Values("transformer", "mamba2", "hybrid"));

// Layers the sweep's shortcut must not cut: Zamba2's shared attention block
// feeds its Mamba-2 mixer (so an ablated attention head changes the Mamba-2
// input), and Mamba-1 heads that are groups of channels.
TEST(HeadSweepFixtures, SharedBlocksAndChannelGroupsEqualPlainAblatedRuns) {
  for (const auto& [name, group] : {std::pair{"zamba2-tiny", 1}, std::pair{"mamba-tiny", 4}}) {
    const auto ck = io::Checkpoint::open(std::filesystem::path(ATTNSCOPE_FIXTURES_DIR) / name);
    const auto model = load_model(ck, LoadOptions{});
    const at::Tensor ids = at::arange(3, 15, at::TensorOptions().dtype(at::kLong));
    SweepOptions o;
    o.channel_group = group;
    const SweepResult sweep = run_head_sweep(*model, ids, -1, o);
    const auto rows = mixer_rows(model->info());
    int heads = 0;
    for (const auto& r : rows) heads += heads_in_view(r.info, group);
    ASSERT_EQ(static_cast<int>(sweep.rows.size()), heads) << name;
    int moved = 0;
    for (const auto& row : sweep.rows) {
      ForwardOptions f;
      f.channel_group = group;
      f.ablations = {HeadAblation(row.layer, row.head, AblationMode::Zero, rows[row.row].info.name)};
      const ForwardResult alone = run_forward(*model, ids, f);
      EXPECT_NEAR(row.delta_logprob, last_logprob(alone, sweep.target) - sweep.intact_logprob, 1e-5)
          << name << " " << row.label << "." << row.head;
      moved += std::abs(row.delta_logprob) > 1e-6;
    }
    EXPECT_GT(moved, heads / 2) << name << ": most heads move the answer a little";
  }
}

TEST(HeadSweepTarget, OutsideTheVocabularyIsRefused) {
  const auto demo = bundled_demo("transformer");
  const at::Tensor ids = ids_of(*demo.tokenizer, "Alice saw B.");
  EXPECT_THROW(run_head_sweep(*demo.model, ids, demo.model->info().vocab_size, SweepOptions{}), Error);
}
