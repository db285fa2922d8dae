// Training differentiates through the inference families themselves: every
// trainable tensor of each demo architecture must receive a finite, nonzero
// gradient from a next-token loss (a detached path would train nothing).
#include <gtest/gtest.h>

#include "core/models/registry.h"
#include "core/train/demo_configs.h"
#include "support/random_models.h"

using namespace attnscope;

TEST(Gradients, EveryDemoParameterGetsAFiniteNonzeroGradient) {
  for (const auto& arch : train::demo_architectures()) {
    LoadOptions options;
    at::manual_seed(3);
    const auto model = test_support::initialised_model(train::demo_config(arch, 64), options);
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
  }
}
