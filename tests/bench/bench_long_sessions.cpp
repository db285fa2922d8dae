// Long prompts on a GPT-2-small-shaped model (12 layers, 12 heads, width
// 768, random weights): a session with every map viewable (--store-maps
// budget: factors always, full maps only up to 2048 tokens) against the
// plain forward's time, its size on disk, the process's peak memory, and one
// head's full map and a screen-sized region recomputed from the session with
// no model. Machine limits (matmul rate, disk write rate) measured in the
// same run. Lengths on the command line (default 1024 2048 4096).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/models/forward.h"
#include "core/runtime/loaded_model.h"
#include "core/runtime/session_run.h"
#include "core/session/map_factors.h"
#include "core/session/session_reader.h"
#include "core/session/session_writer.h"
#include "machine_limits.h"
#include "session_timing.h"
#include "support/random_models.h"

namespace fs = std::filesystem;
using namespace attnscope;

int main(int argc, char** argv) {
  std::vector<int64_t> lengths;
  for (int i = 1; i < argc; ++i) lengths.push_back(std::stoll(argv[i]));
  if (lengths.empty()) lengths = {1024, 2048, 4096};
  const bench::SessionBench setup =
      bench::start_session_bench("attnscope-bench-long", "Long-prompt sessions, GPT-2-small shape (random weights)");
  const fs::path dir = setup.dir;
  const double disk = setup.disk_mbs;
  // Fresh memory (a new head's map) costs its page faults first: on virtual machines that is most of it.
  const double touch = bench::seconds_of([] {
    std::vector<float> fresh(size_t(64) << 20);
    fresh[fresh.size() / 2] = 1;
  });
  bench::print_row("fresh memory, 256 MB zeroed", 256 / touch, "MB/s");

  const int64_t vocab = 50257;
  const int64_t max_length = std::max<int64_t>(1024, *std::max_element(lengths.begin(), lengths.end()));
  test_support::write_random_checkpoint({{"model_type", "gpt2"}, {"vocab_size", vocab}, {"n_embd", 768}, {"n_layer", 12},
                                         {"n_head", 12}, {"n_positions", max_length}, {"layer_norm_epsilon", 1e-5},
                                         {"activation_function", "gelu_new"}},
                                        dir / "model");
  const auto loaded = load_for_running(dir / "model", LoadOptions{});
  for (int64_t L : lengths) {
    const std::string tag = "L=" + std::to_string(L);
    const bench::SessionAgainstForward run = bench::session_against_forward(*loaded, L, vocab, dir);
    const fs::path& path = run.path;
    const double forward = run.plain.seconds, forward_peak = run.plain.peak_rss_mb;
    const double session = run.recorded.seconds, session_peak = run.recorded.peak_rss_mb, mb = run.recorded.file_mb;
    bench::print_row(tag + " forward", forward, "s");
    bench::print_row(tag + " session / forward", session / forward, "x", session / forward, "<= 1.3");
    bench::print_row(tag + " session on disk", mb, "MB", mb / (disk * session), "of the disk rate x session time");
    bench::print_row(tag + " peak RSS forward / session", forward_peak, "MB", session_peak / forward_peak, "session / forward");

    const session::SessionReader reader(path);
    const int row = 6, head = 5;
    // The first head of a layer reads the layer's factors too; a second head of it only computes.
    const double factors_read = bench::seconds_of([&] { reader.factors(row); });
    const double fresh = bench::seconds_of([&] { reader.read_head(row, head); });
    const double full = factors_read + fresh;
    // The same head into memory already in use (what a view that keeps its buffer pays).
    std::vector<float> reused(static_cast<size_t>(L * L));
    const auto factors = reader.factors(row);
    const double compute = bench::seconds_of([&] { session::compute_tile(*factors, head, 0, 0, L, L, reused.data()); });
    const int64_t side = std::min<int64_t>(512, L / 2);  // regions inside the map at any length
    const double first =
        bench::seconds_of([&] { reader.read_tile(row, head + 1, L - side, std::min(L / 3, L - side), side, side); });
    const double tile = bench::seconds_of([&] { reader.read_tile(row, head + 1, L / 2, 0, side, side); });
    // A zoomed figure of the last quarter of the queries (`attnscope export
    // --queries`, or the window's export of a zoomed view): its rows, every key
    // they see, not the whole map.
    const double zoomed = bench::seconds_of([&] { reader.read_tile(row, head + 2, L - L / 4, 0, L / 4, L); });
    const double budget_full = L <= 2048 ? 0.05 : 0.5;
    bench::print_row(tag + " one head's map from the session", full * 1e3, "ms", full / budget_full,
                     L <= 2048 ? "of 50 ms" : "of 500 ms");
    bench::print_row(tag + " ... a layer's factors read first", factors_read * 1e3, "ms", factors_read / budget_full,
                     L <= 2048 ? "of 50 ms" : "of 500 ms");
    bench::print_row(tag + " ... the map into fresh memory", fresh * 1e3, "ms", fresh / budget_full,
                     L <= 2048 ? "of 50 ms" : "of 500 ms");
    bench::print_row(tag + " ... computed into memory in use", compute * 1e3, "ms", compute / budget_full,
                     L <= 2048 ? "of 50 ms" : "of 500 ms");
    bench::print_row(tag + " " + std::to_string(side) + "^2 region, first of a head", first * 1e3, "ms", first / 0.05, "of 50 ms");
    bench::print_row(tag + " " + std::to_string(side) + "^2 region, later", tile * 1e3, "ms", tile / 0.05, "of 50 ms");
    bench::print_row(tag + " a zoomed figure's cells (last quarter of queries)", zoomed * 1e3, "ms", zoomed / full,
                     "of the whole map's time");
    fs::remove(path);
  }
  fs::remove_all(dir);
  return 0;
}
