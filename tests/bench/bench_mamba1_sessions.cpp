// Mamba-1 sessions on mamba-130m's shape (24 layers, width 768, 1536
// channels, state 16, step rank 48; random weights): the session with every
// map viewable (factors, every head's figures and overview; full maps only
// within the budget) against the plain forward, its size, peak memory, and
// one head's map and a screen-sized region recomputed from the session.
// Usage: bench_mamba1_sessions [--group G] L...   (default: group 1, L = 256 512 2048)
// --group G averages G channels a head (1536 / G heads a layer): every
// channel's map is still computed for the summaries, but the per-cell
// figures and the overview are per head.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/models/forward.h"
#include "core/runtime/loaded_model.h"
#include "core/session/map_factors.h"
#include "core/session/session_reader.h"
#include "machine_limits.h"
#include "session_timing.h"
#include "support/random_models.h"

namespace fs = std::filesystem;
using namespace attnscope;

int main(int argc, char** argv) {
  int group = 1;
  std::vector<int64_t> lengths;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--group" && i + 1 < argc) group = std::stoi(argv[++i]);
    else lengths.push_back(std::stoll(a));
  }
  if (lengths.empty()) lengths = {256, 512, 2048};
  const bench::SessionBench setup = bench::start_session_bench(
      "attnscope-bench-mamba1",
      "Mamba-1 sessions, mamba-130m shape (random weights), " + std::to_string(1536 / group) + " heads a layer");
  const fs::path dir = setup.dir;
  const double peak = setup.gflops;
  test_support::write_random_checkpoint({{"model_type", "mamba"}, {"vocab_size", 50280}, {"hidden_size", 768},
                                         {"num_hidden_layers", 24}, {"state_size", 16}, {"expand", 2},
                                         {"conv_kernel", 4}, {"intermediate_size", 1536}, {"time_step_rank", 48}},
                                        dir / "model");
  const auto loaded = load_for_running(dir / "model", LoadOptions{});
  RecordOptions options;
  options.channel_group = group;
  for (int64_t L : lengths) {
    const std::string tag = "L=" + std::to_string(L);
    const bench::SessionAgainstForward run = bench::session_against_forward(*loaded, L, 50280, dir, options);
    // The maps' arithmetic: L^2 / 2 cells x 1536 channels x 16 states, a multiply-add each, 24 layers.
    // An upper bound: far from the diagonal the kernel leaves out the pairs whose decay underflows.
    const double map_flops = 24.0 * 1536 * 16 * 2 * static_cast<double>(L) * static_cast<double>(L) / 2;
    bench::print_session_rows(tag, run, map_flops / (peak * 1e9), "every pair's products");
    const session::SessionReader reader(run.path);
    bench::print_maps_from_session(reader, 12, 5 % reader.model().mixers[0].heads, L, tag);
    fs::remove(run.path);
  }
  fs::remove_all(dir);
  return 0;
}
