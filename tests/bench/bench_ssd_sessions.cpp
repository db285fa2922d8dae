// Mamba-2 sessions on mamba2-130m's shape (24 layers, width 768, 24 heads of
// 64, state 128, one B/C group; random weights): the session with every map
// viewable (factors, every head's figures and overview; full maps only within
// the budget) against the plain forward, its size, peak memory, and one
// head's map and a screen-sized region recomputed from the session.
// Usage: bench_ssd_sessions L...   (default: L = 2048 8192)
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
  std::vector<int64_t> lengths;
  for (int i = 1; i < argc; ++i) lengths.push_back(std::stoll(argv[i]));
  if (lengths.empty()) lengths = {2048, 8192};
  const bench::SessionBench setup =
      bench::start_session_bench("attnscope-bench-ssd", "Mamba-2 sessions, mamba2-130m shape (random weights)");
  const fs::path dir = setup.dir;
  const double peak = setup.gflops;
  const int64_t vocab = 50288, heads = 24, state = 128;
  test_support::write_random_checkpoint({{"model_type", "mamba2"}, {"vocab_size", vocab}, {"hidden_size", 768},
                                         {"num_hidden_layers", 24}, {"num_heads", heads}, {"head_dim", 64},
                                         {"state_size", state}, {"n_groups", 1}, {"expand", 2}, {"conv_kernel", 4}},
                                        dir / "model");
  const auto loaded = load_for_running(dir / "model", LoadOptions{});
  for (int64_t L : lengths) {
    const std::string tag = "L=" + std::to_string(L);
    const bench::SessionAgainstForward run = bench::session_against_forward(*loaded, L, vocab, dir);
    // Every head's cells once for its figures and overview: C_i . B_j over the state, L^2 / 2 cells, 24 layers.
    const double map_flops = 24.0 * heads * state * 2 * static_cast<double>(L) * static_cast<double>(L) / 2;
    bench::print_session_rows(tag, run, map_flops / (peak * 1e9), "every head's products");
    bench::print_maps_from_session(session::SessionReader(run.path), 12, 5, L, tag);
    fs::remove(run.path);
  }
  fs::remove_all(dir);
  return 0;
}
