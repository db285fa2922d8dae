// A GPT-2-small-shaped model (12 layers, 12 heads, width 768, random
// weights) at L = 128, 512 and 1024: achieved GFLOP/s of the forward pass
// against a large matmul measured in the same run (goal: at least half), and
// forward-with-capture over forward-without (goal: at most 1.2). Longer
// lengths may be given (`bench_transformer_forward 2048 4096`): beyond 1024
// tokens the plain forward attends in blocks of queries and keeps no map.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "core/models/forward.h"
#include "machine_limits.h"
#include "support/random_models.h"

using namespace attnscope;

namespace {

double best_forward_seconds(const Model& model, const at::Tensor& ids, bool capture, int repeats) {
  ForwardOptions o;
  if (capture) {
    o.capture_layer = [](int) { return true; };
    o.on_mixing = [](int, int, const at::Tensor&) {};  // a streaming consumer (the session writer is measured elsewhere)
  }
  double best = 1e30;
  for (int r = 0; r < repeats; ++r) {
    const double t0 = bench::now_seconds();
    run_forward(model, ids, o);
    best = std::min(best, bench::now_seconds() - t0);
  }
  return best;
}

// Multiply-adds x 2 of one forward: the dense layers, the attention products,
// the LM head at the last position (all a run computes unless it dumps).
double forward_flops(int64_t L, int64_t d, int64_t layers, int64_t vocab) {
  const double dense = 12.0 * d * d;  // qkv 3d^2 + proj d^2 + MLP 8d^2
  const double attention = 2.0 * L * d;  // scores and context, per token (causal counted in full, as computed)
  return 2.0 * (layers * (dense + attention) * L + static_cast<double>(d) * vocab);
}

}  // namespace

int main(int argc, char** argv) {
  // Lengths may be given on the command line (for profiling one of them).
  std::vector<int64_t> lengths;
  for (int i = 1; i < argc; ++i) lengths.push_back(std::stoll(argv[i]));
  if (lengths.empty()) lengths = {128, 512, 1024};
  bench::set_threads_to_cores();
  const double peak = bench::matmul_gflops();
  bench::print_header("GPT-2-small forward (random weights)");
  bench::print_row("matmul fp32", peak, "GFLOP/s");
  const int64_t d = 768, layers = 12, vocab = 50257;
  // GPT-2 small's 1024 positions, or more when longer prompts are asked for (random weights either way).
  const int64_t max_length = std::max<int64_t>(1024, *std::max_element(lengths.begin(), lengths.end()));
  const auto model = test_support::random_model({{"model_type", "gpt2"}, {"vocab_size", vocab}, {"n_embd", d},
                                          {"n_layer", layers}, {"n_head", 12}, {"n_positions", max_length},
                                          {"layer_norm_epsilon", 1e-5}, {"activation_function", "gelu_new"}});
  for (int64_t L : lengths) {
    const at::Tensor ids = at::randint(0, vocab, {L}, at::kLong);
    best_forward_seconds(*model, ids, false, 1);  // warm-up
    const int repeats = L <= 512 ? 3 : 2;
    const double plain = best_forward_seconds(*model, ids, false, repeats);
    const double captured = best_forward_seconds(*model, ids, true, repeats);
    const double gflops = forward_flops(L, d, layers, vocab) / plain / 1e9;
    const std::string tag = "L=" + std::to_string(L);
    bench::print_row(tag + " forward", gflops, "GFLOP/s", gflops / peak, ">= 0.5 of matmul");
    bench::print_row(tag + " with capture / without", captured / plain, "x", captured / plain, "<= 1.2");
  }
  bench::print_row("peak memory", bench::peak_rss_mb(), "MB");
  return 0;
}
