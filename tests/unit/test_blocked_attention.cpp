// Long prompts without captured maps are attended a block of queries at a
// time (core/models/blocks/attention_mixer.cpp): the logits equal those of
// the whole-map path (a run that captures every layer's maps), for GPT-2's
// attention and for Llama's grouped-query attention with rotary positions,
// at a length that is not a multiple of the block; the blocks' buffers are
// given back when the forward ends.
#include <gtest/gtest.h>

#include "core/models/blocks/attention_block_buffers.h"
#include "core/models/forward.h"
#include "support/random_models.h"

using namespace attnscope;

namespace {
void expect_blocked_equals_whole(const nlohmann::json& config, int64_t length) {
  const auto model = test_support::random_model(config);
  at::manual_seed(3);
  const at::Tensor ids = at::randint(config["vocab_size"].get<int64_t>(), {length}, at::TensorOptions().dtype(at::kLong));
  ForwardOptions blocked;  // nothing captured: blocks of queries
  blocked.logits_at_every_position = true;
  ForwardOptions whole = blocked;
  whole.capture_layer = [](int) { return true; };  // maps kept: the whole [H, L, L] path
  whole.on_mixing = [](int, int, const at::Tensor&) {};
  const at::Tensor a = run_forward(*model, ids, blocked).logits;
  // The blocks' buffers are not kept once the forward is over.
  EXPECT_FALSE(blocks::attention_block_buffers().scores.defined());
  EXPECT_FALSE(blocks::attention_block_buffers().weights.defined());
  const at::Tensor b = run_forward(*model, ids, whole).logits;
  ASSERT_EQ(a.sizes(), b.sizes());
  EXPECT_LT((a - b).abs().max().item<double>(), 1e-4 * (1 + b.abs().max().item<double>()))
      << config["model_type"].get<std::string>();
}
}  // namespace

TEST(BlockedAttention, Gpt2LogitsEqualTheWholeMapPath) {
  expect_blocked_equals_whole({{"model_type", "gpt2"}, {"vocab_size", 97}, {"n_embd", 64}, {"n_layer", 2}, {"n_head", 4},
                               {"n_positions", 2048}, {"layer_norm_epsilon", 1e-5}, {"activation_function", "gelu_new"}},
                              1300);
}

TEST(BlockedAttention, LlamaGroupedQueriesWithRotaryEqualTheWholeMapPath) {
  expect_blocked_equals_whole({{"model_type", "llama"}, {"vocab_size", 101}, {"hidden_size", 64},
                               {"intermediate_size", 128}, {"num_hidden_layers", 2}, {"num_attention_heads", 4},
                               {"num_key_value_heads", 2}, {"max_position_embeddings", 2048}, {"rms_norm_eps", 1e-5},
                               {"rope_theta", 10000.0}},
                              1100);
}
