// attnscope_hybrid: its attention layers equal the llama family and its
// mamba2 layers the mamba2 family (checked against the fixtures' float64
// references), and each relaxed mixer yields the map it promises.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/io/checkpoint.h"
#include "core/models/describe.h"
#include "core/models/config/hybrid_config.h"
#include "core/models/registry.h"
#include "parity.h"
#include "support/random_models.h"

using namespace attnscope;
using attnscope::testing::run_capturing;
namespace fs = std::filesystem;

TEST(Hybrid, AttentionLayersMatchTheLlamaReference) {
  const auto dir = attnscope::testing::rewrite_fixture("llama-tiny-gqa", "hybrid-attn", R"({
    "model_type": "attnscope_hybrid", "vocab_size": 96, "hidden_size": 32, "intermediate_size": 96,
    "num_attention_heads": 4, "num_key_value_heads": 2, "num_hidden_layers": 2, "head_dim": 8,
    "layer_types": ["attention", "attention"], "rms_norm_eps": 1e-05, "rope_theta": 10000.0,
    "max_position_embeddings": 4096, "tie_word_embeddings": false})", [](const std::string& n) { return n; });
  const auto model = load_model(io::Checkpoint::open(dir), LoadOptions{});
  attnscope::testing::expect_matches_reference(*model, "llama-tiny-gqa");
  fs::remove_all(dir);
}

TEST(Hybrid, Mamba2LayersMatchTheMamba2Reference) {
  const auto dir = attnscope::testing::rewrite_fixture("mamba2-tiny", "hybrid-ssm", R"({
    "model_type": "attnscope_hybrid", "vocab_size": 96, "hidden_size": 32, "num_hidden_layers": 2,
    "layer_types": ["mamba2", "mamba2"], "rms_norm_eps": 1e-05, "ssm_state_size": 8, "ssm_num_heads": 4,
    "ssm_head_dim": 16, "ssm_n_groups": 1, "ssm_conv_kernel": 4, "tie_word_embeddings": false})",
                                                       [](std::string n) {
                                                         if (n.rfind("backbone.layers.", 0) == 0) return "model." + n.substr(9);
                                                         if (n == "backbone.embeddings.weight") return std::string("model.embed_tokens.weight");
                                                         if (n == "backbone.norm_f.weight") return std::string("model.norm.weight");
                                                         return n;
                                                       });
  const auto ck = io::Checkpoint::open(dir);
  const auto model = load_model(ck, LoadOptions{});
  attnscope::testing::expect_matches_reference(*model, "mamba2-tiny");
  EXPECT_EQ(describe_from_config(ck).layers.at(1).mixers.at(0).heads, 4);
  fs::remove_all(dir);
}

namespace {

// A freshly initialised two-layer attention hybrid with the given mixer (same seed: same weights).
std::unique_ptr<Model> fresh_hybrid(const std::string& mixer, const std::string& layout = "uniform") {
  const nlohmann::json config = {{"model_type", "attnscope_hybrid"}, {"vocab_size", 50}, {"hidden_size", 32},
                                 {"num_hidden_layers", 2}, {"layer_types", {"attention", "attention"}},
                                 {"num_attention_heads", 4}, {"num_key_value_heads", 2}, {"head_dim", 8},
                                 {"intermediate_size", 64}, {"max_position_embeddings", 40},
                                 {"attention_mixer", mixer}, {"mixer_layout", layout}};
  LoadOptions options;
  at::manual_seed(5);
  auto model = test_support::initialised_model(config, options);
  // Larger weights than the initialiser's so the maps are far from uniform.
  for (auto& [name, t] : options.parameters->named)
    if (name.find("proj") != std::string::npos) t.detach().mul_(20);
  return model;
}

at::Tensor prompt(int seed) {
  at::manual_seed(seed);
  return at::randint(0, 50, {12}, at::kLong);
}

}  // namespace

TEST(HybridMixers, EveryMixerYieldsACausalRowStochasticMap) {
  for (const auto& mixer : kAttentionMixers) {
    if (mixer == "mlp") continue;
    const auto c = run_capturing(*fresh_hybrid(mixer), prompt(1));
    for (const auto& [layer, map] : c.maps) {
      EXPECT_LT((map.sum(-1) - 1).abs().max().item<double>(), 1e-5) << mixer << " layer " << layer;
      EXPECT_EQ(map.triu(1).abs().max().item<double>(), 0.0) << mixer;
      EXPECT_GE(map.min().item<double>(), 0.0) << mixer;
    }
  }
}

TEST(HybridMixers, EachMixerKeepsItsPromise) {
  const at::Tensor a = prompt(1), b = prompt(2);
  const auto standard = run_capturing(*fresh_hybrid("standard"), a);
  // mlp: no token mixing at all.
  const auto mlp = run_capturing(*fresh_hybrid("mlp"), a);
  EXPECT_TRUE(at::equal(mlp.maps.at("mixing.1")[0], at::eye(12)));
  // Fixed query/key inputs: the same maps whatever the prompt.
  for (const std::string m : {"rnd_emb_qk", "fixed_seq_qk"}) {
    const auto model = fresh_hybrid(m);
    const auto ca = run_capturing(*model, a), cb = run_capturing(*model, b);
    EXPECT_TRUE(at::allclose(ca.maps.at("mixing.1"), cb.maps.at("mixing.1"))) << m;
    EXPECT_FALSE(at::allclose(standard.maps.at("mixing.1"), ca.maps.at("mixing.1"))) << m;
  }
  EXPECT_FALSE(at::allclose(run_capturing(*fresh_hybrid("standard"), b).maps.at("mixing.1"), standard.maps.at("mixing.1")));
  // static_emb_qk: layer 1's map reads the token embeddings, so ablating layer 0 leaves it alone.
  {
    const auto model = fresh_hybrid("static_emb_qk");
    const auto intact = run_capturing(*model, a), ablated = run_capturing(*model, a, {{0, 1, AblationMode::Zero}});
    EXPECT_TRUE(at::allclose(intact.maps.at("mixing.1"), ablated.maps.at("mixing.1")));
    const auto std_model = fresh_hybrid("standard");
    EXPECT_FALSE(at::allclose(run_capturing(*std_model, a).maps.at("mixing.1"),
                              run_capturing(*std_model, a, {{0, 1, AblationMode::Zero}}).maps.at("mixing.1")));
  }
  // non_approximate ignores the query: every row is the same distribution, renormalised to its prefix.
  {
    const at::Tensor m = run_capturing(*fresh_hybrid("non_approximate"), a).maps.at("mixing.1")[2];  // [L, L]
    const at::Tensor last = m[11];
    for (int i = 3; i < 12; ++i) {
      const at::Tensor expected = last.narrow(0, 0, i + 1) / last.narrow(0, 0, i + 1).sum();
      EXPECT_TRUE(at::allclose(m[i].narrow(0, 0, i + 1), expected, 1e-4, 1e-6)) << "row " << i;
    }
  }
  // approximate differs from softmax on the same weights.
  EXPECT_FALSE(at::allclose(run_capturing(*fresh_hybrid("approximate"), a).maps.at("mixing.1"), standard.maps.at("mixing.1"), 1e-3, 1e-4));
  // alternate layout: even layers stay standard.
  const auto alternate = run_capturing(*fresh_hybrid("mlp", "alternate"), a);
  EXPECT_FALSE(at::equal(alternate.maps.at("mixing.0")[0], at::eye(12)));
  EXPECT_TRUE(at::equal(alternate.maps.at("mixing.1")[0], at::eye(12)));
}

TEST(HybridMixers, RejectsUnknownMixersAndBadLayerTypes) {
  const fs::path dir = fs::temp_directory_path() / ("attnscope-badhybrid-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  io::SafetensorsWriter().write(dir / "model.safetensors");
  std::ofstream(dir / "config.json") << R"({"model_type": "attnscope_hybrid", "hidden_size": 8, "vocab_size": 4,
    "layer_types": ["attention"], "attention_mixer": "cosine"})";
  try {
    load_model(io::Checkpoint::open(dir), LoadOptions{});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown attention_mixer 'cosine'"), std::string::npos) << e.what();
  }
  std::ofstream(dir / "config.json") << R"({"model_type": "attnscope_hybrid", "hidden_size": 8, "vocab_size": 4,
    "layer_types": ["rwkv"]})";
  EXPECT_THROW(load_model(io::Checkpoint::open(dir), LoadOptions{}), Error);
  fs::remove_all(dir);
}
