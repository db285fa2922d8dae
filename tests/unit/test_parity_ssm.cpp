// SSM families beyond the reference comparison of test_parity_fixtures.cpp:
// causal maps, local ablation, Mamba-1's channel groups and effective view,
// and configs rewritten into mamba_ssm's dialect.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/io/checkpoint.h"
#include "core/io/safetensors_writer.h"
#include "core/models/describe.h"
#include "core/models/forward.h"
#include "core/models/registry.h"
#include "parity.h"

using namespace attnscope;
using attnscope::testing::load_reference;
using attnscope::testing::relative_error;
using attnscope::testing::Captured;

namespace {

class SsmParity : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(SsmParity, MapsAreCausalAndAblationIsLocal) {
  const auto ck = io::Checkpoint::open(attnscope::testing::fixture_dir(GetParam()));
  const auto model = load_model(ck, LoadOptions{});
  const at::Tensor ids = at::randint(0, model->info().vocab_size, {24}, at::kLong);
  const Captured intact = attnscope::testing::run_capturing(*model, ids);
  for (const auto& [layer, map] : intact.maps) EXPECT_EQ(map.triu(1).abs().max().item<double>(), 0.0) << layer;
  EXPECT_TRUE(at::equal(attnscope::testing::run_capturing(*model, ids).result.logits, intact.result.logits)) << "ablating nothing changes nothing";

  const Captured uniform = attnscope::testing::run_capturing(*model, ids, {{1, 1, AblationMode::Uniform}});
  EXPECT_NEAR(uniform.maps.at("mixing.1")[1][9][0].item<float>(), 0.1f, 1e-6);
  EXPECT_TRUE(at::equal(uniform.maps.at("mixing.0"), intact.maps.at("mixing.0"))) << "layers before the ablation are untouched";
  EXPECT_GT((uniform.result.logits - intact.result.logits).abs().max().item<double>(), 1e-6);
  const Captured mean = attnscope::testing::run_capturing(*model, ids, {{1, 1, AblationMode::Mean}});
  const Captured zero = attnscope::testing::run_capturing(*model, ids, {{1, 1, AblationMode::Zero}});
  EXPECT_GT((mean.result.logits - zero.result.logits).abs().max().item<double>(), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, SsmParity, ::testing::Values("mamba-tiny", "mamba2-tiny"));

TEST(Mamba1Views, GroupsAverageChannelsAndEffectiveViewHasItsOwnShape) {
  const auto ck = io::Checkpoint::open(attnscope::testing::fixture_dir("mamba-tiny"));
  const auto model = load_model(ck, LoadOptions{});
  const at::Tensor ids = load_reference("mamba-tiny").at("input_ids")[0];
  const Captured channels = attnscope::testing::run_capturing(*model, ids);
  const Captured groups = attnscope::testing::run_capturing(*model, ids, {}, MixingView::Direct, 8);
  const at::Tensor& per_channel = channels.maps.at("mixing.0");  // [32, L, L]
  ASSERT_EQ(groups.maps.at("mixing.0").size(0), per_channel.size(0) / 8);
  EXPECT_LT(relative_error(groups.maps.at("mixing.0")[1], per_channel.narrow(0, 8, 8).mean(0)), 1e-6);
  // Groups are heads too: ablating group 1 equals ablating its eight channels.
  std::vector<HeadAblation> eight;
  for (int c = 8; c < 16; ++c) eight.push_back({0, c, AblationMode::Zero});
  ForwardOptions o = attnscope::testing::every_position();
  o.channel_group = 8;
  o.ablations = {{0, 1, AblationMode::Zero}};
  const auto grouped = run_forward(*model, ids, o);
  EXPECT_LT(relative_error(grouped.logits, attnscope::testing::run_capturing(*model, ids, eight).result.logits), 1e-6);

  const Captured effective = attnscope::testing::run_capturing(*model, ids, {}, MixingView::Effective);
  EXPECT_EQ(effective.maps.at("mixing.0").sizes(), per_channel.sizes());
  EXPECT_EQ(effective.maps.at("mixing.0").triu(1).abs().max().item<double>(), 0.0);
  EXPECT_GT((effective.maps.at("mixing.0") - per_channel).abs().max().item<double>(), 1e-4);
}

namespace {
// The fixture re-saved as a state-spaces checkpoint: mamba_ssm's config
// dialect (no model_type) and its `backbone.embedding` name.
std::filesystem::path as_mamba_ssm_checkpoint(const std::string& fixture, const std::string& config) {
  return attnscope::testing::rewrite_fixture(fixture, "ssm-dialect-" + fixture, config, [](const std::string& n) {
    return n == "backbone.embeddings.weight" ? std::string("backbone.embedding.weight") : n;
  });
}
}  // namespace

TEST(SsmConfigDialects, MambaSsmConfigsLoadLikeHuggingFaceOnes) {
  const auto dir2 = as_mamba_ssm_checkpoint("mamba2-tiny", R"({"d_model": 32, "n_layer": 2, "vocab_size": 96,
    "ssm_cfg": {"layer": "Mamba2", "d_state": 8, "headdim": 16}, "rms_norm": true, "tie_embeddings": false,
    "pad_vocab_size_multiple": 8})");
  auto ck = io::Checkpoint::open(dir2);
  EXPECT_EQ(ck.model_type(), "mamba2");
  EXPECT_EQ(describe_from_config(ck).layers.at(0).mixers.at(0).heads, 4) << "inspect reads ssm_cfg.headdim too";
  auto ref = load_reference("mamba2-tiny");
  auto out = run_forward(*load_model(ck, LoadOptions{}), ref.at("input_ids")[0], attnscope::testing::every_position());
  EXPECT_LT(relative_error(out.logits.unsqueeze(0), ref.at("logits")), 1e-4);
  std::filesystem::remove_all(dir2);

  const auto dir1 = as_mamba_ssm_checkpoint("mamba-tiny", R"({"d_model": 16, "n_layer": 2, "vocab_size": 96,
    "ssm_cfg": {"d_state": 4, "dt_rank": 1}, "rms_norm": true, "pad_vocab_size_multiple": 8})");
  ck = io::Checkpoint::open(dir1);
  EXPECT_EQ(ck.model_type(), "mamba");
  ref = load_reference("mamba-tiny");
  out = run_forward(*load_model(ck, LoadOptions{}), ref.at("input_ids")[0], attnscope::testing::every_position());
  EXPECT_LT(relative_error(out.logits.unsqueeze(0), ref.at("logits")), 1e-4);
  std::filesystem::remove_all(dir1);
}
