// A long prompt's attention runs a block of queries at a time; a session
// hands the forward a sink (MixerCall::attention_rows) that sees each row of
// the maps as the block's softmax computes it and summarises the maps from
// them, instead of computing them again from the factors
// (core/mixing/softmax_block_summary.h). Checked on Llama-shaped grouped-query
// attention with rotary positions at a length that is not a multiple of the
// block: the rows are the whole maps' rows, blocks in order, the logits are
// those of a forward without a sink, and the summaries (figures, overviews,
// row normalisers) are those computed from the factors. The row kernel is
// checked against a float64 softmax.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <mutex>

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


// Compares each row it is shown with the whole map's row (from a run that kept the maps).
class RowsAgainstMaps final : public mixing::SoftmaxRowSink {
 public:
  RowsAgainstMaps(const at::Tensor& map, int64_t& next_row) : map_(map), next_row_(next_row) {}
  void begin_block(int heads, int64_t first_row, int64_t rows, int64_t keys) override {
    EXPECT_EQ(heads, map_.size(0));
    EXPECT_EQ(first_row, next_row_) << "blocks in row order";
    EXPECT_EQ(keys, first_row + rows) << "causal: keys up to the block's last query";
    first_ = first_row, rows_ = rows;
    error_.assign(static_cast<size_t>(heads * rows), -1);
  }
  void add_row(int head, int64_t r, const float* weights, const mixing::SoftmaxRowStats&) override {
    const int64_t i = first_ + r;
    const float* want = map_.data_ptr<float>() + (head * map_.size(1) + i) * map_.size(2);
    double worst = 0;
    for (int64_t j = 0; j <= i; ++j) worst = std::max(worst, static_cast<double>(std::abs(weights[j] - want[j])));
    error_[head * rows_ + r] = worst;  // each row once: no two threads write one cell
  }
  void end_block() override {
    for (size_t n = 0; n < error_.size(); ++n) {
      ASSERT_GE(error_[n], 0) << "row " << n % rows_ << " of head " << n / rows_ << " was not shown";
      ASSERT_LT(error_[n], 1e-5) << "row " << first_ + static_cast<int64_t>(n % rows_) << " of head " << n / rows_;
    }
    next_row_ += rows_, ++blocks;
  }
  int blocks = 0;

 private:
  const at::Tensor& map_;
  int64_t& next_row_;
  int64_t first_ = 0, rows_ = 0;
  std::vector<double> error_;
};

}  // namespace

TEST(SoftmaxBlockSummary, RowsAreTheMapsRowsAndTheLogitsUnchanged) {
  static_assert(kLength > blocks::kBlockedAttentionFrom);
  const auto model = test_support::random_model(kLlama);
  const at::Tensor ids = prompt();
  std::map<int, at::Tensor> maps;  // layer -> [H, L, L]
  ForwardOptions whole;
  whole.logits_at_every_position = true;
  whole.capture_layer = [](int) { return true; };
  whole.on_mixing = [&](int layer, int, const at::Tensor& m) { maps[layer] = m.contiguous().clone(); };
  run_forward(*model, ids, whole);

  ForwardOptions plain;
  plain.logits_at_every_position = true;
  plain.factor_layer = [](int) { return true; };
  plain.on_factors = [](int, int, const MixingFactors&) {};
  ForwardOptions shown = plain;
  std::map<int, int64_t> next_row;
  std::map<int, std::unique_ptr<RowsAgainstMaps>> sinks;
  shown.attention_rows = [&](int layer, int mixer) -> mixing::SoftmaxRowSink* {
    EXPECT_EQ(mixer, 0);
    sinks[layer] = std::make_unique<RowsAgainstMaps>(maps.at(layer), next_row[layer]);
    return sinks[layer].get();
  };
  const at::Tensor with_sink = run_forward(*model, ids, shown).logits, without = run_forward(*model, ids, plain).logits;
  ASSERT_EQ(sinks.size(), 2u);
  for (const auto& [layer, rows] : next_row) EXPECT_EQ(rows, kLength) << "layer " << layer;
  for (const auto& [layer, sink] : sinks) EXPECT_EQ(sink->blocks, 3) << "layer " << layer;
  EXPECT_LT((with_sink - without).abs().max().item<double>(), 1e-4 * (1 + without.abs().max().item<double>()));
}

TEST(SoftmaxBlockSummary, EqualsTheSummariesOfTheFactors) {
  const auto model = test_support::random_model(kLlama);
  std::map<int, mixing::SoftmaxBlockSummaries> from_blocks;
  int compared = 0;
  ForwardOptions options;
  options.logits_at_every_position = true;
  options.factor_layer = [](int) { return true; };
  const int overview = 100;  // pools 11 tokens a cell
  options.attention_rows = [&](int layer, int) -> mixing::SoftmaxRowSink* {
    return &from_blocks.insert_or_assign(layer, mixing::SoftmaxBlockSummaries(4, kLength, overview)).first->second;
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
  std::vector<float> scores(2 * 4 * 8, 0.f), weights(scores.size());
  mixing::SoftmaxBlockSummaries skipped(2, 8);
  mixing::causal_softmax_block(scores.data(), weights.data(), 2, 4, 4, 8, skipped);  // rows 4..7 before 0..3
  EXPECT_FALSE(skipped.complete());
  mixing::SoftmaxBlockSummaries other_heads(2, 8);
  mixing::causal_softmax_block(scores.data(), weights.data(), 3, 0, 2, 2, other_heads);
  EXPECT_FALSE(other_heads.complete());
  mixing::SoftmaxBlockSummaries in_order(2, 8);
  mixing::causal_softmax_block(scores.data(), weights.data(), 2, 0, 4, 4, in_order);
  EXPECT_FALSE(in_order.complete()) << "half the rows";
  mixing::causal_softmax_block(scores.data(), weights.data(), 2, 4, 4, 8, in_order);
  EXPECT_TRUE(in_order.complete());
}

// One row against float64: weights, zeros past the query, max, log sum and sum p log p.
TEST(SoftmaxBlockSummary, RowKernelMatchesFloat64) {
  // One row of one head: the block's query is position seen - 1.
  struct OneRow final : mixing::SoftmaxRowSink {
    void begin_block(int, int64_t, int64_t, int64_t) override {}
    void add_row(int, int64_t, const float*, const mixing::SoftmaxRowStats& s) override { stats = s, rows++; }
    void end_block() override {}
    mixing::SoftmaxRowStats stats;
    int rows = 0;
  } sink;
  const int64_t keys = 1000, seen = 777;
  std::vector<float> original(keys), weights(keys, -1.f);
  for (int64_t j = 0; j < keys; ++j) original[j] = static_cast<float>(12 * std::sin(0.37 * j) + (j == 500 ? 30 : 0));
  std::vector<float> scores = original;  // overwritten by the kernel
  mixing::causal_softmax_block(scores.data(), weights.data(), 1, seen - 1, 1, keys, sink);
  ASSERT_EQ(sink.rows, 1);
  const mixing::SoftmaxRowStats stats = sink.stats;
  scores = original;
  double m = scores[0];
  for (int64_t j = 0; j < seen; ++j) m = std::max(m, static_cast<double>(scores[j]));
  double sum = 0;
  for (int64_t j = 0; j < seen; ++j) sum += std::exp(scores[j] - m);
  double p_log_p = 0;
  for (int64_t j = 0; j < seen; ++j) {
    const double p = std::exp(scores[j] - m) / sum;
    ASSERT_NEAR(weights[j], p, 1e-5 * p + 1e-12) << j;  // float exponents: ~1e-7 x |s - m|
    if (p > 0) p_log_p += p * std::log(p);
  }
  for (int64_t j = seen; j < keys; ++j) ASSERT_EQ(weights[j], 0.f) << "past the query";
  EXPECT_FLOAT_EQ(stats.max_score, static_cast<float>(m));
  EXPECT_NEAR(stats.log_sum, std::log(sum), 1e-6);
  EXPECT_NEAR(stats.p_log_p, p_log_p, 1e-5);
}
