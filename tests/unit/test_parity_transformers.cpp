// Transformer families beyond the reference comparison of
// test_parity_fixtures.cpp: the invariants every softmax map must satisfy,
// the checkpoint layouts GPT-2 ships in, and clear errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/io/checkpoint.h"
#include "core/io/safetensors_writer.h"
#include "core/models/describe.h"
#include "core/models/forward.h"
#include "core/models/registry.h"
#include "parity.h"

namespace fs = std::filesystem;
using namespace attnscope;
using attnscope::testing::load_reference;
using attnscope::testing::relative_error;
using attnscope::testing::Captured;

namespace {

class TransformerParity : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(TransformerParity, SoftmaxInvariants) {
  const auto ck = io::Checkpoint::open(attnscope::testing::fixture_dir(GetParam()));
  const auto model = load_model(ck, LoadOptions{});
  const at::Tensor ids = at::randint(0, model->info().vocab_size, {20}, at::kLong);
  const Captured intact = attnscope::testing::run_capturing(*model, ids);
  for (const auto& [layer, map] : intact.maps) {
    EXPECT_LT((map.sum(-1) - 1).abs().max().item<double>(), 1e-5) << "rows sum to 1, layer " << layer;
    EXPECT_EQ(map.triu(1).abs().max().item<double>(), 0.0) << "no weight on future keys, layer " << layer;
    EXPECT_GE(map.min().item<double>(), 0.0);
  }
  // Ablating nothing changes nothing.
  const Captured again = attnscope::testing::run_capturing(*model, ids, {});
  EXPECT_TRUE(at::equal(again.result.logits, intact.result.logits));
  // Uniform mode: the captured map of that head is the uniform causal average.
  const Captured uniform = attnscope::testing::run_capturing(*model, ids, {{1, 2, AblationMode::Uniform}});
  const at::Tensor u = uniform.maps.at("mixing.1")[2];
  EXPECT_NEAR(u[9][0].item<float>(), 0.1f, 1e-6);
  EXPECT_NEAR(u[9][9].item<float>(), 0.1f, 1e-6);
  EXPECT_TRUE(at::equal(uniform.maps.at("mixing.0"), intact.maps.at("mixing.0"))) << "layers before the ablation are untouched";
  // Mean mode changes the answer too, and differently from zero.
  const Captured mean = attnscope::testing::run_capturing(*model, ids, {{1, 2, AblationMode::Mean}});
  const Captured zero = attnscope::testing::run_capturing(*model, ids, {{1, 2, AblationMode::Zero}});
  EXPECT_GT((mean.result.logits - intact.result.logits).abs().max().item<double>(), 1e-5);
  EXPECT_GT((mean.result.logits - zero.result.logits).abs().max().item<double>(), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TransformerParity, ::testing::Values("gpt2-tiny", "pythia-tiny", "llama-tiny-gqa", "qwen2-tiny"));

namespace {
// The gpt2-tiny fixture under other tensor names, optionally with the
// `attn.bias` mask buffers the official GPT-2 checkpoint carries.
fs::path rewrite_fixture(const std::string& fixture, const std::string& name,
                         const std::function<std::string(const std::string&)>& rename, bool add_mask_buffers) {
  auto masks = [](io::SafetensorsWriter& w) {
    std::vector<uint8_t> mask(64 * 64, 1);
    for (int l = 0; l < 2; ++l)
      w.add("h." + std::to_string(l) + ".attn.bias", io::DType::U8, {1, 1, 64, 64}, mask.data(), mask.size());
  };
  return attnscope::testing::rewrite_fixture(fixture, name, attnscope::testing::fixture_config(fixture), rename,
                                             add_mask_buffers ? std::function<void(io::SafetensorsWriter&)>(masks) : nullptr);
}
}  // namespace

TEST(Gpt2Checkpoints, OfficialAndPrefixedLayoutsLoadAlike) {
  const auto ref = load_reference("gpt2-tiny");
  const at::Tensor ids = ref.at("input_ids")[0];
  auto strip = [](const std::string& n) { return n.rfind("transformer.", 0) == 0 ? n.substr(12) : n; };
  auto prefix = [&](const std::string& n) { return "transformer." + strip(n); };
  for (const auto& dir : {rewrite_fixture("gpt2-tiny", "official", strip, true),
                          rewrite_fixture("gpt2-tiny", "prefixed", prefix, false)}) {
    const auto ck = io::Checkpoint::open(dir);
    const auto model = load_model(ck, LoadOptions{});
    const auto out = run_forward(*model, ids, attnscope::testing::every_position());
    EXPECT_LT(relative_error(out.logits.unsqueeze(0), ref.at("logits")), 1e-4) << dir;
    fs::remove_all(dir);
  }
}

TEST(TransformerErrors, ClearMessages) {
  const auto ck = io::Checkpoint::open(attnscope::testing::fixture_dir("gpt2-tiny"));
  const auto model = load_model(ck, LoadOptions{});
  try {
    run_forward(*model, at::zeros({65}, at::kLong));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("65 tokens"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("at most 64"), std::string::npos) << e.what();
  }
  EXPECT_THROW(run_forward(*model, at::full({3}, 96, at::kLong)), Error);
  ForwardOptions missing_layer;
  missing_layer.ablations = {{5, 0, AblationMode::Zero}};
  EXPECT_THROW(run_forward(*model, at::zeros({3}, at::kLong), missing_layer), Error);

  // A weight whose shape disagrees with the config names the tensor.
  auto dir = rewrite_fixture("gpt2-tiny", "badshape", [](const std::string& n) { return n; }, false);
  {
    std::ifstream in(dir / "config.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("\"n_embd\": 32"), 12, "\"n_embd\": 48");
    std::ofstream(dir / "config.json") << text;
  }
  try {
    load_model(io::Checkpoint::open(dir), LoadOptions{});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("wte.weight"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[96, 32]"), std::string::npos) << e.what();
  }
  // An unknown architecture.
  std::ofstream(dir / "config.json") << R"({"model_type": "bert", "hidden_size": 8})";
  try {
    load_model(io::Checkpoint::open(dir), LoadOptions{});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown model_type 'bert'"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}
