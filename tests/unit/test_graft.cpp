// Head replacement (core/train/graft.h): the grafted checkpoint computes
// every untouched head exactly as the source did, the new head's map is the
// causal softmax of its own queries and keys (checked against a direct
// computation), training moves only what it trains, and what cannot be
// grafted is refused with a clear message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/io/checkpoint.h"
#include "core/models/forward.h"
#include "core/models/registry.h"
#include "core/models/weights.h"
#include "core/runtime/resources.h"
#include "core/train/graft.h"
#include "core/train/graft_checkpoint.h"
#include "core/util/error.h"
#include "bundled_demo.h"
#include "scratch_path.h"
#include "core/models/config/hybrid_config.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

const char* kPrompt = "k3 v5 k7 v1 k2 v9 k7";

// A fresh output path for each graft.
struct TempDir : test_support::ScratchPath {
  TempDir() : ScratchPath("attnscope-graft") {}
};

fs::path demo_dir() { return resource_dir() / "models" / "mamba2"; }

// Every layer's maps [mixer][heads, L, L] and the last logits.
struct Captured {
  std::vector<at::Tensor> maps;
  at::Tensor logits;
};

Captured capture_all(const Model& model, const at::Tensor& ids, const std::function<void(int, LayerCall&)>& hook = {}) {
  Captured c;
  ForwardOptions o;
  o.capture_layer = [](int) { return true; };
  o.on_mixing = [&](int, int, const at::Tensor& m) { c.maps.push_back(m.clone()); };
  o.on_layer_call = hook;
  c.logits = run_forward(model, ids, o).logits;
  return c;
}

train::GraftOptions options(const fs::path& out, int layer, int head, bool attention, int steps) {
  train::GraftOptions o;
  o.source = demo_dir();
  o.out_dir = out;
  o.head.layer = layer, o.head.head = head, o.head.attention = attention;
  o.tasks = {{"mqar", 6}};
  o.steps = steps;
  o.batch = 4;
  o.eval_examples = 4;
  o.command = "test";
  return o;
}

}  // namespace

TEST(Graft, UntouchedHeadsGiveBitIdenticalMapsBeforeTraining) {
  TempDir dir;
  train::graft_head(options(dir.path, 2, 3, true, 0));
  const auto demo = test_support::bundled_demo("mamba2");
  const auto grafted_ck = io::Checkpoint::open(dir.path);
  const auto grafted = load_model(grafted_ck, LoadOptions{});
  EXPECT_EQ(grafted->info().layers[2].mixers[0].description, "mamba2 (SSD; head 3 softmax attention)");
  const at::Tensor ids = at::tensor(demo.tokenizer->encode_ids(kPrompt), at::kLong);
  const Captured source = capture_all(*demo.model, ids), graft = capture_all(*grafted, ids);
  ASSERT_EQ(source.maps.size(), graft.maps.size());
  for (int layer = 0; layer <= 2; ++layer)
    for (int64_t h = 0; h < source.maps[layer].size(0); ++h) {
      if (layer == 2 && h == 3) continue;
      EXPECT_TRUE(at::equal(source.maps[layer][h], graft.maps[layer][h])) << "head " << layer << "." << h;
    }
  EXPECT_FALSE(at::allclose(source.maps[2][3], graft.maps[2][3])) << "the replaced head's map is attention's now";
  EXPECT_FALSE(at::equal(source.logits, graft.logits));

  // The replaced head's map is softmax(q k^T / sqrt(dk)) over j <= i of the mixer's input, computed here directly.
  at::Tensor input;
  (void)capture_all(*grafted, ids, [&](int layer, LayerCall& call) {
    if (layer == 2) call.mixers[0].on_input = [&](at::Tensor& x) { input = x.clone(); };
  });
  const auto view = [&](const std::string& name) { return tensor_from_view(grafted_ck.tensor(name), at::kDouble); };
  const std::string a = "model.layers.2.mixer.attention_heads.3.";
  const at::Tensor x = input[0].to(at::kDouble), q = at::matmul(x, view(a + "q_proj.weight").t()),
                   k = at::matmul(x, view(a + "k_proj.weight").t());
  const int64_t L = ids.size(0);
  at::Tensor expected = at::matmul(q, k.t()) / std::sqrt(static_cast<double>(q.size(1)));
  expected = at::softmax(expected.masked_fill(at::ones({L, L}, at::kBool).triu(1), -INFINITY), -1);
  EXPECT_TRUE(at::allclose(graft.maps[2][3].to(at::kDouble), expected, 1e-5, 1e-6));
  // Started from the head's own C and B projections.
  const at::Tensor in_proj = view("model.layers.2.mixer.in_proj.weight");
  EXPECT_TRUE(at::equal(view(a + "q_proj.weight"), in_proj.narrow(0, 2 * 256 + 32, 32)));
  EXPECT_TRUE(at::equal(view(a + "k_proj.weight"), in_proj.narrow(0, 2 * 256, 32)));
}

TEST(Graft, ConversionAloneChangesNothing) {
  TempDir dir;
  train::graft_head(options(dir.path, 1, 0, false, 0));
  const auto demo = test_support::bundled_demo("mamba2");
  const auto converted_ck = io::Checkpoint::open(dir.path);
  EXPECT_EQ(converted_ck.model_type(), "attnscope_hybrid");
  const auto converted = load_model(converted_ck, LoadOptions{});
  const at::Tensor ids = at::tensor(demo.tokenizer->encode_ids(kPrompt), at::kLong);
  const Captured a = capture_all(*demo.model, ids), b = capture_all(*converted, ids);
  EXPECT_TRUE(at::equal(a.logits, b.logits));
  for (size_t m = 0; m < a.maps.size(); ++m) EXPECT_TRUE(at::equal(a.maps[m], b.maps[m])) << "layer " << m;
}

TEST(Graft, TrainingMovesOnlyWhatItTrains) {
  for (const bool attention : {true, false}) {
    TempDir before_dir, after_dir;
    train::graft_head(options(before_dir.path, 1, 2, attention, 0));
    const auto report = train::graft_head(options(after_dir.path, 1, 2, attention, 3));
    const auto before = io::Checkpoint::open(before_dir.path), after = io::Checkpoint::open(after_dir.path);
    const auto slices = train::graft_trained_slices(after_dir.path, {1, 2, attention});
    ASSERT_EQ(before.tensor_names(), after.tensor_names());
    int64_t changed_rows = 0;
    for (const auto& name : after.tensor_names()) {
      const at::Tensor b = tensor_from_view(before.tensor(name), at::kFloat), a = tensor_from_view(after.tensor(name), at::kFloat);
      const auto slice = std::find_if(slices.begin(), slices.end(), [&](const auto& s) { return s.name == name; });
      if (slice == slices.end()) {
        EXPECT_TRUE(at::equal(a, b)) << name << " is frozen";
        continue;
      }
      for (int64_t r = 0; r < a.size(0); ++r) {
        const bool trained = slice->rows.empty() || std::count(slice->rows.begin(), slice->rows.end(), r);
        if (!trained) EXPECT_TRUE(at::equal(a[r], b[r])) << name << " row " << r << " is frozen";
        else changed_rows += !at::equal(a[r], b[r]);
      }
    }
    EXPECT_GT(changed_rows, 0) << "training changed something";
    EXPECT_GT(report.trained_parameters, 0);
    EXPECT_EQ(report.accuracy_after.count("mqar:6"), 1u);
  }
}

TEST(Graft, RefusesWhatCannotBeGrafted) {
  TempDir dir;
  const auto refused = [&](train::GraftOptions o, const std::string& words) {
    try {
      train::graft_head(o);
      ADD_FAILURE() << "accepted; expected: " << words;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(o.out_dir)) << "nothing written";
  };
  refused(options(dir.path, 4, 0, true, 0), "has no layer 4");
  refused(options(dir.path, 1, 8, true, 0), "has no head 8");
  auto gpt2 = options(dir.path, 0, 0, true, 0);
  gpt2.source = resource_dir() / "models" / "transformer";
  refused(gpt2, "head replacement takes a Mamba-2");
  auto hybrid = options(dir.path, 2, 0, true, 0);
  hybrid.source = resource_dir() / "models" / "hybrid";
  refused(hybrid, "layer 2 is attention already");

  // A grafted checkpoint takes a second head, not the same one twice.
  TempDir first, second;
  train::graft_head(options(first.path, 1, 4, true, 0));
  auto again = options(dir.path, 1, 4, true, 0);
  again.source = first.path;
  refused(again, "is attention already");
  auto other = options(second.path, 2, 0, true, 0);
  other.source = first.path;
  train::graft_head(other);
  const auto twice = load_model(io::Checkpoint::open(second.path), LoadOptions{});
  EXPECT_EQ(twice->info().layers[1].mixers[0].description, "mamba2 (SSD; head 4 softmax attention)");
  EXPECT_EQ(twice->info().layers[2].mixers[0].description, "mamba2 (SSD; head 0 softmax attention)");

  // Never into the checkpoint being read, nor over a checkpoint graft did not write.
  auto onto_source = options(first.path, 1, 0, true, 0);
  onto_source.source = first.path;
  try {
    train::graft_head(onto_source);
    ADD_FAILURE() << "wrote into its own source";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("is (or holds) the checkpoint being read"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::exists(first.path / "model.safetensors"));
  TempDir someone_elses;
  fs::create_directories(someone_elses.path);
  for (const char* f : {"config.json", "tokenizer.json", "README.md"}) fs::copy_file(demo_dir() / f, someone_elses.path / f);
  try {
    train::graft_head(options(someone_elses.path, 1, 0, true, 0));
    ADD_FAILURE() << "replaced a checkpoint graft did not write";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nothing was changed"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::exists(someone_elses.path / "config.json"));
  // A trailing slash names the folder itself; a graft's own output may be replaced.
  TempDir slash;
  train::graft_head(options(slash.path.string() + "/", 1, 0, true, 0));
  train::graft_head(options(slash.path.string() + "/", 1, 1, true, 0));
  EXPECT_EQ(load_model(io::Checkpoint::open(slash.path), LoadOptions{})->info().layers[1].mixers[0].description,
            "mamba2 (SSD; head 1 softmax attention)");

  // A folder holding the user's other files is never replaced.
  fs::create_directories(dir.path);
  { std::ofstream(dir.path / "notes.txt") << "mine"; }
  try {
    train::graft_head(options(dir.path, 1, 0, true, 0));
    ADD_FAILURE() << "replaced a folder with other files";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nothing was changed"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::exists(dir.path / "notes.txt"));
}

TEST(Graft, ConfigNamesEachBadHeadList) {
  const nlohmann::json base = {{"model_type", "attnscope_hybrid"}, {"vocab_size", 16}, {"hidden_size", 8},
                               {"layer_types", {"mamba2", "attention"}}, {"num_attention_heads", 2},
                               {"intermediate_size", 16}, {"ssm_num_heads", 4}, {"ssm_head_dim", 4}, {"ssm_state_size", 4}};
  const auto problem = [&](const nlohmann::json& heads) {
    nlohmann::json j = base;
    j["ssm_attention_heads"] = heads;
    try {
      read_hybrid_config(io::Config(j, "config.json"));
      return std::string("accepted");
    } catch (const Error& e) {
      return std::string(e.what());
    }
  };
  EXPECT_EQ(problem({{"0", {1, 3}}}), "accepted");
  EXPECT_NE(problem({{"1", {0}}}).find("layer 1 is not a mamba2 layer"), std::string::npos);
  EXPECT_NE(problem({{"2", {0}}}).find("'2' is not a layer"), std::string::npos);
  EXPECT_NE(problem({{"x", {0}}}).find("'x' is not a layer"), std::string::npos);
  EXPECT_NE(problem({{"01", {0}}}).find("'01' is not a layer"), std::string::npos);
  EXPECT_NE(problem({{"0", {4}}}).find("has no head 4"), std::string::npos);
  EXPECT_NE(problem({{"0", {1, 1}}}).find("names a head twice"), std::string::npos);
  EXPECT_NE(problem({{"0", {}}}).find("needs a list of heads"), std::string::npos);
  EXPECT_NE(problem(nlohmann::json::array({1})).find("must map layer numbers"), std::string::npos);
  nlohmann::json j = base;
  j["ssm_time_step_limit"] = {0.5, nullptr};
  const HybridConfig h = read_hybrid_config(io::Config(j, "config.json"));
  EXPECT_EQ(h.ssm.dt_min, 0.5);
  EXPECT_EQ(h.ssm.dt_max, 0);
}

TEST(Graft, KeepsTheQuerySizeEarlierGraftsChose) {
  // The fixture's grafted heads use queries of 6 against a state of 4.
  const auto ck = io::Checkpoint::open(fs::path(ATTNSCOPE_FIXTURES_DIR) / "hybrid-tiny-ssm-attention");
  TempDir dir;
  fs::create_directories(dir.path);
  train::write_grafted_checkpoint(ck, {0, 0, true}, dir.path);
  const auto grafted = io::Checkpoint::open(dir.path);
  EXPECT_EQ(grafted.tensor("model.layers.0.mixer.attention_heads.0.q_proj.weight").entry->shape, (std::vector<int64_t>{6, 16}));
  const auto model = load_model(grafted, LoadOptions{});
  EXPECT_EQ(model->info().layers[0].mixers[0].description, "mamba2 (SSD; heads 0 and 1 softmax attention)");
}
