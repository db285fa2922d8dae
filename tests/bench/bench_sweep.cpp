// The head sweep on one prompt of L = 512 tokens against heads x one plain
// forward, in the same run (issue goal: at most 0.5). Model: GPT-2-small's
// shape (12 layers x 12 heads, width 768) with random weights; ids drawn at
// random. Each ablated run resumes at its layer with the intact run's head
// outputs given (the ablated layer's mixers are not recomputed), four heads
// of a mixer per batched run, and the final layer computes its last
// position only; the floor is the mean share of layers after each head's,
// about 0.46 at 12 layers, plus the ablated layer's feed-forward.
#include <cstdio>
#include <cstdlib>

#include "core/ablation/head_sweep.h"
#include "core/models/forward.h"
#include "machine_limits.h"
#include "support/random_models.h"

using namespace attnscope;

int main(int argc, char** argv) {
  bench::set_threads_to_cores();
  const int64_t length = argc > 1 ? std::atoll(argv[1]) : 512;
  const double gflops = bench::matmul_gflops();
  const auto model = test_support::random_model({{"model_type", "gpt2"}, {"vocab_size", 50257}, {"n_embd", 768},
                                                 {"n_layer", 12}, {"n_head", 12}, {"n_positions", 1024},
                                                 {"layer_norm_epsilon", 1e-5}, {"activation_function", "gelu_new"}});
  at::manual_seed(1);
  const at::Tensor ids = at::randint(50257, {length}, at::TensorOptions().dtype(at::kLong));
  run_forward(*model, ids, ForwardOptions{});  // warm-up
  double forward = 1e30;
  for (int i = 0; i < 3; ++i) {
    const double t0 = bench::now_seconds();
    run_forward(*model, ids, ForwardOptions{});
    forward = std::min(forward, bench::now_seconds() - t0);
  }
  const double t0 = bench::now_seconds();
  const SweepResult sweep = run_head_sweep(*model, ids, -1, SweepOptions{});
  const double swept = bench::now_seconds() - t0;
  const double heads = static_cast<double>(sweep.rows.size());

  bench::print_header("head sweep, GPT-2-small shape, L = " + std::to_string(length));
  bench::print_row("matmul fp32", gflops, "GFLOP/s");
  bench::print_row("one forward (best of 3)", forward, "s");
  bench::print_row("heads", heads, "");
  bench::print_row("heads x one forward", heads * forward, "s", 1.0);
  bench::print_row("sweep (resumed at each head's layer)", swept, "s", swept / (heads * forward), "<= 0.5");
  bench::print_row("peak memory", bench::peak_rss_mb(), "MB");
  return 0;
}
