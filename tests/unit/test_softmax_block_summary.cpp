// A long prompt's attention runs a block of queries at a time and shows each
// block to the session (MixerCall::on_attention_block), which summarises the
// maps from those blocks instead of computing them again from the factors
// (core/mixing/softmax_block_summary.h). Checked on Llama-shaped grouped-query
// attention with rotary positions at a length that is not a multiple of the
// block: the blocks are the whole maps' rows, in order, and their summaries
// (figures, overviews, row normalisers) are those computed from the factors.
#include <gtest/gtest.h>

#include <map>

#include "core/mixing/map_summary.h"
#include "core/mixing/softmax_block_summary.h"
#include "core/models/blocks/attention_mixer.h"
#include "core/models/forward.h"
#include "core/runtime/map_factors_of.h"
#include "support/random_models.h"

using namespace attnscope;

namespace {

const nlohmann::json kLlama = {{"model_type", "llama"}, {"vocab_size", 101}, {"hidden_size", 64},
                               {"intermediate_size", 128}, {"num_hidden_layers", 2}, {"num_attention_heads", 4},
                               {"num_key_value_heads", 2}, {"max_position_embeddings", 2048}, {"rms_norm_eps", 1e-5},
                               {"rope_theta", 10000.0}};
constexpr int64_t kLength = 1100;  // blocked (> kBlockedAttentionFrom), not a multiple of the block

at::Tensor prompt() {
  at::manual_seed(5);
  return at::randint(kLlama["vocab_size"].get<int64_t>(), {kLength}, at::TensorOptions().dtype(at::kLong));
}

}  // namespace

TEST(SoftmaxBlockSummary, BlocksAreTheMapsRowsInOrder) {
  static_assert(kLength > blocks::kBlockedAttentionFrom);
  const auto model = test_support::random_model(kLlama);
  const at::Tensor ids = prompt();
  std::map<int, at::Tensor> maps;  // layer -> [H, L, L]
  ForwardOptions whole;
  whole.logits_at_every_position = true;
  whole.capture_layer = [](int) { return true; };
  whole.on_mixing = [&](int layer, int, const at::Tensor& m) { maps[layer] = m.clone(); };
  run_forward(*model, ids, whole);

  ForwardOptions blocked;
  blocked.logits_at_every_position = true;
  blocked.factor_layer = [](int) { return true; };
  blocked.on_factors = [](int, int, const MixingFactors&) {};
  std::map<int, int64_t> next_row;
  int blocks_seen = 0;
  blocked.on_attention_block = [&](int layer, int mixer, const AttentionBlock& block) {
    EXPECT_EQ(mixer, 0);
    ASSERT_EQ(block.first_row, next_row[layer]) << "blocks in row order";
    EXPECT_EQ(block.keys, block.first_row + block.rows) << "causal: keys up to the block's last query";
    const at::Tensor& map = maps.at(layer);
    ASSERT_EQ(block.heads, map.size(0));
    const at::Tensor weights =
        at::from_blob(const_cast<float*>(block.weights), {block.heads, block.rows, block.keys}, at::kFloat);
    const at::Tensor expected = map.narrow(1, block.first_row, block.rows).narrow(2, 0, block.keys);
    EXPECT_LT((weights - expected).abs().max().item<double>(), 1e-5) << "layer " << layer << " rows from " << block.first_row;
    next_row[layer] += block.rows, ++blocks_seen;
  };
  run_forward(*model, ids, blocked);
  ASSERT_EQ(next_row.size(), 2u);
  for (const auto& [layer, rows] : next_row) EXPECT_EQ(rows, kLength) << "layer " << layer;
  EXPECT_EQ(blocks_seen, 2 * 3);
}

TEST(SoftmaxBlockSummary, EqualsTheSummariesOfTheFactors) {
  const auto model = test_support::random_model(kLlama);
  std::map<int, mixing::SoftmaxBlockSummaries> from_blocks;
  int compared = 0;
  ForwardOptions options;
  options.logits_at_every_position = true;
  options.factor_layer = [](int) { return true; };
  const int overview = 100;  // pools 11 tokens a cell
  options.on_attention_block = [&](int layer, int, const AttentionBlock& block) {
    if (block.first_row == 0) from_blocks.insert_or_assign(layer, mixing::SoftmaxBlockSummaries(block.heads, kLength, overview));
    from_blocks.at(layer).add_block(block.scores, block.weights, block.heads, block.first_row, block.rows, block.keys);
  };
  options.on_factors = [&](int layer, int, const MixingFactors& mixing_factors) {
    auto& blocks = from_blocks.at(layer);
    ASSERT_TRUE(blocks.complete());
    const mixing::FactorSummaries got = blocks.take();
    const mixing::FactorSummaries want = mixing::summarise_factors(map_factors_of(mixing_factors), overview);
    ASSERT_EQ(got.heads.size(), want.heads.size());
    for (size_t h = 0; h < want.heads.size(); ++h) {
      const auto &a = got.heads[h].figures(), &b = want.heads[h].figures();
      EXPECT_NEAR(a.entropy(), b.entropy(), 1e-5) << "layer " << layer << " head " << h;
      EXPECT_NEAR(a.top1(), b.top1(), 1e-6);
      EXPECT_NEAR(a.sharpness(), b.sharpness(), 1e-5);
      ASSERT_EQ(got.heads[h].overview().size(), want.heads[h].overview().size());
      for (size_t k = 0; k < want.heads[h].overview().size(); ++k)
        ASSERT_NEAR(got.heads[h].overview()[k], want.heads[h].overview()[k], 1e-6) << "head " << h << " cell " << k;
    }
    ASSERT_EQ(got.row_normalisers.size(), want.row_normalisers.size());
    for (size_t k = 0; k < want.row_normalisers.size(); ++k)
      ASSERT_NEAR(got.row_normalisers[k], want.row_normalisers[k], 1e-4 * (1 + std::abs(want.row_normalisers[k])))
          << (k % 2 ? "log sum" : "max") << " of row " << k / 2;
    ++compared;
  };
  run_forward(*model, prompt(), options);
  EXPECT_EQ(compared, 2);
}

// Blocks out of order or of another mixer's shape leave the summaries
// incomplete, so the session falls back to the factors.
TEST(SoftmaxBlockSummary, BlocksOutOfOrderAreNotTaken) {
  std::vector<float> scores(2 * 4 * 8, 0.f), weights(scores.size(), 0.125f);
  mixing::SoftmaxBlockSummaries skipped(2, 8);
  skipped.add_block(scores.data(), weights.data(), 2, 4, 4, 8);  // rows 4..7 before 0..3
  EXPECT_FALSE(skipped.complete());
  mixing::SoftmaxBlockSummaries other_heads(2, 8);
  other_heads.add_block(scores.data(), weights.data(), 3, 0, 4, 4);
  EXPECT_FALSE(other_heads.complete());
  mixing::SoftmaxBlockSummaries in_order(2, 8);
  in_order.add_block(scores.data(), weights.data(), 2, 0, 4, 4);
  EXPECT_FALSE(in_order.complete()) << "half the rows";
  in_order.add_block(scores.data(), weights.data(), 2, 4, 4, 8);
  EXPECT_TRUE(in_order.complete());
}
