// Session write/read benchmark: a 24-layer, 16-head model at L = 2048 (about
// 3 GB of float16 maps before compression) streamed layer by layer, against a
// plain sequential write of the same bytes in the same run; then the time to
// open the session and read one head.
#include <ATen/ATen.h>

#include <cstdio>
#include <filesystem>

#include "core/mixing/metric_table.h"
#include "core/session/session_reader.h"
#include "core/session/session_writer.h"
#include "machine_limits.h"

namespace fs = std::filesystem;
using namespace attnscope;

namespace {
// Softmax-attention-like maps: causal, rows sum to 1, a few sharp heads.
at::Tensor attention_like(int heads, int64_t L, int seed) {
  at::manual_seed(seed);
  at::Tensor scores = at::randn({heads, L, L}) * 3;
  at::Tensor mask = at::ones({L, L}, at::kBool).triu(1);
  return at::softmax(scores.masked_fill(mask, -INFINITY), -1).to(at::kHalf).contiguous();
}
}  // namespace

int main(int argc, char** argv) {
  bench::set_threads_to_cores();
  const int layers = 24, heads = 16;
  const int64_t L = argc > 1 ? std::atoll(argv[1]) : 2048;
  const fs::path dir = fs::temp_directory_path();
  const fs::path path = dir / "attnscope-bench-session.h5";
  const double raw_bytes = double(layers) * heads * L * L * 2;

  // Maps are made before timing and reused per layer (a model would make them).
  std::vector<at::Tensor> maps;
  for (int i = 0; i < 4; ++i) maps.push_back(attention_like(heads, L, i));
  const double rss_before = bench::current_rss_mb();

  const double disk = bench::disk_write_mbs(dir, static_cast<size_t>(raw_bytes));
  bench::reset_peak_rss();  // from here on, the peak is the writer's (plus the sources already resident)
  double t0 = bench::now_seconds();
  {
    auto w = session::SessionWriter::create(path);
    session::ModelRecord m{"gpt2", "bench", "{}", "float16", "cpu", {}, {}};
    for (int l = 0; l < layers; ++l) {
      m.layer_descriptions.push_back("attention");
      m.mixers.push_back({l, "attn", "softmax_attention", heads, "attention", 1, "direct", {}});
    }
    w.write_model(m);
    session::PromptRecord p;
    for (int64_t i = 0; i < L; ++i) p.ids.push_back(i % 100), p.tokens.push_back("t" + std::to_string(i));
    w.write_prompt(p);
    for (int l = 0; l < layers; ++l)
      w.write_maps_half(m.mixers[l], reinterpret_cast<const uint16_t*>(maps[l % 4].data_ptr()), heads, L);
    w.commit();
  }
  const double write_s = bench::now_seconds() - t0;
  const double peak_while_writing = bench::peak_rss_mb();
  const double file_mb = fs::file_size(path) / 1e6;

  t0 = bench::now_seconds();
  session::SessionReader r(path);
  const double open_s = bench::now_seconds() - t0;
  t0 = bench::now_seconds();
  auto head = r.read_head(layers / 2, heads / 2);
  const double read_s = bench::now_seconds() - t0;

  bench::print_header("session write, " + std::to_string(layers) + " layers x " + std::to_string(heads) +
                      " heads, L = " + std::to_string(L));
  bench::print_row("float16 maps before compression", raw_bytes / 1e6, "MB");
  bench::print_row("file size", file_mb, "MB", file_mb * 1e6 / raw_bytes);
  bench::print_row("plain sequential write + fsync", disk, "MB/s", 1.0);
  bench::print_row("session write rate (map bytes / time)", raw_bytes / 1e6 / write_s, "MB/s",
                   raw_bytes / 1e6 / write_s / disk, "goal >= 0.5");
  bench::print_row("peak memory added while writing", peak_while_writing - rss_before, "MB", -1, "goal < 1024");
  bench::print_row("peak RSS while writing (incl. 4 source layers)", peak_while_writing, "MB");
  bench::print_row("open session (metadata)", open_s * 1e3, "ms");
  bench::print_row("read one head", read_s * 1e3, "ms", -1, "goal open+read < 100");
  bench::print_row("open + read one head", (open_s + read_s) * 1e3, "ms");

  // The per-head metrics a run stores under /metrics, for one layer, against
  // writing that layer (both happen once per layer during a run).
  const at::Tensor layer_maps = maps[0].to(at::kFloat).contiguous();
  mixing::HeadMetricTable table(1, heads);
  t0 = bench::now_seconds();
  table.add_row(0, layer_maps.data_ptr<float>(), heads, L);
  const double metrics_s = bench::now_seconds() - t0;
  const double layer_write_s = write_s / layers;
  bench::print_row("metrics of one layer (" + std::to_string(heads) + " heads)", metrics_s * 1e3, "ms",
                   metrics_s / layer_write_s, "ratio: / writing a layer");
  bench::print_row("  metric rate (map floats / s)", double(heads) * L * L / metrics_s / 1e9, "G/s",
                   double(heads) * L * L * 4 / metrics_s / (bench::memory_bandwidth_gbs() * 1e9),
                   "ratio: of memory bandwidth");
  std::printf("checksum %.3f\n", head[L * L - 1]);
  fs::remove(path);
  return 0;
}
