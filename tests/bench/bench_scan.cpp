// A full single-head ablation scan (every head, zero and mean) against naive
// full re-runs of every ablation, in the same run (goal: at most 0.6). The
// scan resumes each ablated run from the intact residual stream at the
// ablated layer. Model: 12 layers x 12 heads, width 768 (GPT-2-small's
// shape as a llama), random weights, the bundled demo's tokenizer, MQAR
// prompts (about 60 tokens).
#include <cstdio>

#include "core/ablation/head_scan.h"
#include "core/io/tokenizer.h"
#include "core/runtime/resources.h"
#include "machine_limits.h"
#include "support/random_models.h"

using namespace attnscope;

int main(int argc, char** argv) {
  bench::set_threads_to_cores();
  const int examples = argc > 1 ? std::atoi(argv[1]) : 8;
  const double gflops = bench::matmul_gflops();
  const auto tokenizer = io::Tokenizer::from_file(resource_dir() / "models" / "transformer" / "tokenizer.json");
  const int64_t vocab = (tokenizer->vocab_size() + 7) / 8 * 8;
  const auto model = test_support::random_model({{"model_type", "llama"}, {"vocab_size", vocab}, {"hidden_size", 768},
                                          {"intermediate_size", 3072}, {"num_hidden_layers", 12},
                                          {"num_attention_heads", 12}, {"num_key_value_heads", 12},
                                          {"max_position_embeddings", 1024}, {"rms_norm_eps", 1e-5}});
  const auto set = tasks::generate({"mqar", 0}, examples, 1);
  ScanOptions o;
  o.random_controls = 0;
  double t0 = bench::now_seconds();
  const auto scan = run_head_scan(*model, *tokenizer, set, o);
  const double resumed = bench::now_seconds() - t0;
  o.resume_from_residuals = false;
  t0 = bench::now_seconds();
  run_head_scan(*model, *tokenizer, set, o);
  const double naive = bench::now_seconds() - t0;

  bench::print_header("single-head scan, 12 x 12 heads, zero + mean, " + std::to_string(examples) + " examples");
  bench::print_row("matmul fp32", gflops, "GFLOP/s");
  bench::print_row("conditions", static_cast<double>(scan.rows.size() - 1), "");
  bench::print_row("naive: every ablation from the embeddings", naive, "s", 1.0);
  bench::print_row("scan resuming at the ablated layer", resumed, "s", resumed / naive, "<= 0.6");
  bench::print_row("peak memory", bench::peak_rss_mb(), "MB");
  return 0;
}
