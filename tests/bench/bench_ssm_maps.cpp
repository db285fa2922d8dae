// SSM maps against the forward pass they come from. Mamba-2 shaped like
// mamba2-130m (24 layers, width 768, 24 heads of 64, state 128) at L = 512 and
// 2048: forward time, time to also extract every layer's implied maps (as a
// ratio to the forward; goal at L = 2048: at most 3), peak memory. Mamba-1
// shaped like mamba-130m: the per-layer cost of its per-channel maps.
// Random weights: the cost does not depend on their values.
#include <cstdio>
#include <string>

#include "core/models/forward.h"
#include "machine_limits.h"
#include "support/random_models.h"

using namespace attnscope;

namespace {

double forward_seconds(const Model& model, int64_t L, bool capture, int layers_captured = -1) {
  const at::Tensor ids = at::randint(0, model.info().vocab_size, {L}, at::kLong);
  ForwardOptions o;
  if (capture) {
    o.capture_layer = [&](int l) { return layers_captured < 0 || l < layers_captured; };
    o.on_mixing = [](int, int, const at::Tensor&) {
    };  // a streaming consumer: maps are dropped after each layer
  }
  const double t0 = bench::now_seconds();
  run_forward(model, ids, o);
  return bench::now_seconds() - t0;
}

}  // namespace

int main(int argc, char** argv) {
  // An argument picks one family: mamba2 or mamba (both by default).
  const std::string only = argc > 1 ? argv[1] : "";
  bench::set_threads_to_cores();
  const double gflops = bench::matmul_gflops();
  bench::print_header("SSM implied maps (random weights)");
  bench::print_row("matmul fp32", gflops, "GFLOP/s");

  if (only.empty() || only == "mamba2") {
    const auto mamba2 = test_support::random_model({{"model_type", "mamba2"},
                                             {"vocab_size", 50288},
                                             {"hidden_size", 768},
                                             {"num_hidden_layers", 24},
                                             {"num_heads", 24},
                                             {"head_dim", 64},
                                             {"state_size", 128},
                                             {"n_groups", 1},
                                             {"expand", 2},
                                             {"conv_kernel", 4}});
    for (int64_t L : {512, 2048}) {
      forward_seconds(*mamba2, 64, false);  // warm-up
      const double plain = forward_seconds(*mamba2, L, false);
      const double with_maps = forward_seconds(*mamba2, L, true);
      const std::string tag = "mamba2-130m L=" + std::to_string(L);
      bench::print_row(tag + " forward", plain, "s");
      bench::print_row(tag + " forward + all maps", with_maps, "s", with_maps / plain,
                       L == 2048 ? "<= 3" : "");
      bench::print_row(tag + " peak memory", bench::peak_rss_mb(), "MB");
    }
  }
  if (only.empty() || only == "mamba") {
    const auto mamba1 = test_support::random_model({{"model_type", "mamba"},
                                             {"vocab_size", 50280},
                                             {"hidden_size", 768},
                                             {"num_hidden_layers", 24},
                                             {"state_size", 16},
                                             {"expand", 2},
                                             {"conv_kernel", 4},
                                             {"intermediate_size", 1536},
                                             {"time_step_rank", 48}});
    for (int64_t L : {256, 512}) {
      const double plain = forward_seconds(*mamba1, L, false);
      const double one_layer = forward_seconds(*mamba1, L, true, 1) - plain;
      const std::string tag = "mamba-130m L=" + std::to_string(L);
      bench::print_row(tag + " forward", plain, "s");
      bench::print_row(tag + " maps of one layer (1536 channels)", one_layer, "s",
                       one_layer / (plain / 24), "x a layer's forward");
    }
  }
  bench::print_row("peak memory", bench::peak_rss_mb(), "MB");
  return 0;
}
