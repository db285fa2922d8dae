// What the block/mixer design promises beyond parity: a shared block
// (Zamba2) is ablated at one depth only; parallel mixers (Falcon-H1) are two
// mixers of one layer, each captured and ablated on its own; layers without
// a mixer (Nemotron-H's MLP blocks) have no heads; hooks see each head's
// output before the output projection; and every ablation mistake is named.
#include <gtest/gtest.h>

#include <string>

#include "core/io/checkpoint.h"
#include "core/models/forward.h"
#include "core/models/registry.h"
#include "core/util/error.h"
#include "parity.h"

using namespace attnscope;
using attnscope::testing::fixture_dir;

namespace {

std::unique_ptr<Model> fixture_model(const std::string& name) {
  return load_model(io::Checkpoint::open(fixture_dir(name)), LoadOptions{});
}

at::Tensor prompt(const Model& model) { return at::arange(3, 3 + 12, at::kLong) % model.info().vocab_size; }

std::string ablation_error(const Model& model, HeadAblation a) {
  ForwardOptions o;
  o.ablations = {a};
  try {
    run_forward(model, prompt(model), o);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ComposedLayers, ASharedBlockIsAblatedAtOneDepthOnly) {
  const auto model = fixture_model("zamba2-tiny");  // layers 1 and 3 invoke the one shared block
  const auto& info = model->info();
  ASSERT_EQ(info.layers[1].mixers.size(), 2u);
  // Head 1 of the shared attention zeroed where layer 1 invokes it: the
  // per-head outputs there show it zero, layer 3's invocation keeps it.
  at::Tensor at_layer1, at_layer3;
  ForwardOptions o;
  o.ablations = {{1, 1, AblationMode::Zero, "attn"}};
  o.on_layer_call = [&](int layer, LayerCall& call) {
    auto& attn = call.mixer(info.layers[layer], info.layers[layer].mixers.size() > 1 ? "attn" : "");
    if (layer == 1) attn.on_head_outputs = [&](at::Tensor& heads) { at_layer1 = heads.clone(); };
    if (layer == 3) attn.on_head_outputs = [&](at::Tensor& heads) { at_layer3 = heads.clone(); };
  };
  run_forward(*model, prompt(*model), o);
  ASSERT_TRUE(at_layer1.defined() && at_layer3.defined());
  EXPECT_EQ(at_layer1.select(1, 1).abs().max().item<double>(), 0.0) << "the ablated invocation";
  EXPECT_GT(at_layer3.select(1, 1).abs().max().item<double>(), 0.0) << "the other invocation of the same block";
  EXPECT_GT(at_layer1.select(1, 0).abs().max().item<double>(), 0.0) << "the other head";
}

TEST(ComposedLayers, ParallelMixersAreTwoMixersOfOneLayer) {
  const auto model = fixture_model("falcon_h1-tiny");
  const auto& layer = model->info().layers[0];
  ASSERT_EQ(layer.mixers.size(), 2u);
  EXPECT_EQ(layer.mixers[layer.mixer_index("attn")].kind, MixerKind::SoftmaxAttention);
  EXPECT_EQ(layer.mixers[layer.mixer_index("ssm")].kind, MixerKind::Mamba2SSD);
  const auto intact = attnscope::testing::run_capturing(*model, prompt(*model));
  EXPECT_EQ(intact.maps.count("mixing.0"), 1u);
  EXPECT_EQ(intact.maps.count("mixing.0.attn"), 1u);
  // Ablating the attention head leaves the same layer's SSM map as it was.
  const auto ablated = attnscope::testing::run_capturing(*model, prompt(*model), {{0, 2, AblationMode::Zero, "attn"}});
  EXPECT_TRUE(at::equal(ablated.maps.at("mixing.0"), intact.maps.at("mixing.0")));
  EXPECT_FALSE(at::allclose(ablated.maps.at("mixing.1"), intact.maps.at("mixing.1")));
}

TEST(ComposedLayers, AblationMistakesAreNamed) {
  const auto falcon = fixture_model("falcon_h1-tiny");
  EXPECT_NE(ablation_error(*falcon, {0, 1, AblationMode::Zero}).find("has the mixers ssm and attn; name one, e.g. 0.ssm.1"),
            std::string::npos)
      << ablation_error(*falcon, {0, 1, AblationMode::Zero});
  EXPECT_NE(ablation_error(*falcon, {0, 9, AblationMode::Zero, "attn"}).find("has 4 heads"), std::string::npos);
  EXPECT_NE(ablation_error(*falcon, {0, 0, AblationMode::Zero, "mlp"}).find("has the mixers"), std::string::npos);
  const auto nemotron = fixture_model("nemotron_h-tiny");  // layer 2: an MLP block
  EXPECT_TRUE(nemotron->info().layers[2].mixers.empty());
  EXPECT_NE(ablation_error(*nemotron, {2, 0, AblationMode::Zero}).find("layer 2 mixes no tokens"), std::string::npos);
}

TEST(ComposedLayers, HooksCanReplaceAMixersOutput) {
  // The hook points serve patching: zeroing a mixer's output through on_output
  // is the same as zero-ablating every one of its heads.
  const auto model = fixture_model("bamba-tiny");
  const int heads = model->info().layers[1].mixers[0].heads;
  ForwardOptions hooked = attnscope::testing::every_position();
  hooked.on_layer_call = [](int layer, LayerCall& call) {
    if (layer == 1) call.mixers[0].on_output = [](at::Tensor& out) { out = at::zeros_like(out); };
  };
  ForwardOptions ablated = attnscope::testing::every_position();
  for (int h = 0; h < heads; ++h) ablated.ablations.push_back({1, h, AblationMode::Zero});
  const auto a = run_forward(*model, prompt(*model), hooked).logits;
  const auto b = run_forward(*model, prompt(*model), ablated).logits;
  EXPECT_LT(attnscope::testing::relative_error(a, b), 1e-5);
}
