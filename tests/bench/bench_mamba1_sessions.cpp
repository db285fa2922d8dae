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
    const Prompt prompt = bench::spread_prompt(*loaded, L, 50280);
    const std::string tag = "L=" + std::to_string(L);
    const bench::TimedForward plain = bench::plain_forward(*loaded, prompt);
    const double forward = plain.seconds, forward_peak = plain.peak_rss_mb;
    const fs::path path = dir / ("session-" + std::to_string(L) + ".h5");
    const bench::RecordedSession recorded = bench::record_session(*loaded, prompt, path, options);
    // The maps' arithmetic: L^2 / 2 cells x 1536 channels x 16 states, a multiply-add each, 24 layers.
    // An upper bound: far from the diagonal the kernel leaves out the pairs whose decay underflows.
    const double map_flops = 24.0 * 1536 * 16 * 2 * static_cast<double>(L) * static_cast<double>(L) / 2;
    bench::print_row(tag + " forward", forward, "s");
    bench::print_row(tag + " session", recorded.seconds, "s", recorded.seconds / forward, "x the forward");
    bench::print_row(tag + " ... every pair's products at the matmul rate", map_flops / (peak * 1e9), "s",
                     map_flops / (peak * 1e9) / recorded.seconds, "of the session");
    bench::print_row(tag + " session on disk", recorded.file_mb, "MB");
    bench::print_row(tag + " peak RSS forward / session", forward_peak, "MB", recorded.peak_rss_mb / forward_peak,
                     "session / forward");

    const session::SessionReader reader(path);
    const int row = 12, head = 5 % reader.model().mixers[0].heads;
    const auto factors = reader.factors(row);
    std::vector<float> map(static_cast<size_t>(L * L));
    const double full = bench::seconds_of([&] { session::compute_tile(*factors, head, 0, 0, L, L, map.data()); });
    const int64_t side = std::min<int64_t>(512, L);
    const double region = bench::seconds_of([&] { reader.read_tile(row, head + 1, L - side, std::min(L / 3, L - side), side, side); });
    bench::print_row(tag + " one head's map from the session", full * 1e3, "ms", full / (L <= 2048 ? 0.05 : 0.5),
                     L <= 2048 ? "of 50 ms" : "of 500 ms");
    bench::print_row(tag + " a " + std::to_string(side) + "^2 region", region * 1e3, "ms", region / 0.05, "of 50 ms");
    fs::remove(path);
  }
  fs::remove_all(dir);
  return 0;
}
