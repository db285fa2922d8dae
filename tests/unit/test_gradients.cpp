// Training differentiates through the inference families themselves: every
// trainable tensor of each demo architecture must receive a finite, nonzero
// gradient from a next-token loss (a detached path would train nothing).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/io/checkpoint.h"
#include "core/io/safetensors_writer.h"
#include "core/models/registry.h"
#include "core/train/demo_configs.h"

using namespace attnscope;
namespace fs = std::filesystem;

TEST(Gradients, EveryDemoParameterGetsAFiniteNonzeroGradient) {
  const fs::path dir = fs::temp_directory_path() / ("attnscope-grad-" + std::to_string(::getpid()));
  for (const auto& arch : train::demo_architectures()) {
    fs::create_directories(dir);
    std::ofstream(dir / "config.json") << train::demo_config(arch, 64).dump();
    io::SafetensorsWriter().write(dir / "model.safetensors");
    LoadOptions options;
    options.parameters = std::make_shared<ParameterSink>();
    options.parameters->initialise = true;
    options.parameters->vocab = 64;
    at::manual_seed(3);
    const auto model = load_model(io::Checkpoint::open(dir), options);
    const at::Tensor ids = at::randint(0, 64, {2, 40}, at::TensorOptions().dtype(at::kLong));
    at::Tensor hidden = model->embed(ids);
    for (int l = 0; l < model->info().num_layers; ++l) {
      LayerCall call;
      hidden = model->layer(l, hidden, call);
    }
    const at::Tensor logits = model->logits(hidden);
    // Next-token loss on random tokens: every weight moves it.
    const at::Tensor loss = at::cross_entropy_loss(logits.slice(1, 0, 39).reshape({-1, 64}),
                                                   ids.slice(1, 1, 40).reshape({-1}));
    loss.backward();
    for (const auto& [name, t] : options.parameters->named) {
      if (!t.requires_grad()) continue;
      ASSERT_TRUE(t.grad().defined()) << arch << ": no gradient reaches " << name;
      EXPECT_TRUE(at::isfinite(t.grad()).all().item<bool>()) << arch << ": " << name;
      EXPECT_GT(t.grad().abs().max().item<double>(), 0.0) << arch << ": zero gradient for " << name;
    }
    fs::remove_all(dir);
  }
}
