#pragma once
// Shared by the session benchmarks: the time of a piece of work, and a
// session recorded as `attnscope run --out` records it (the defaults: every
// map viewable) with the process's peak memory while it ran.
#include <filesystem>
#include <functional>
#include <vector>
#include <string>

#include "core/models/forward.h"
#include "core/runtime/loaded_model.h"
#include "core/runtime/session_run.h"
#include "core/session/map_factors.h"
#include "core/session/session_reader.h"
#include "core/session/session_writer.h"
#include "machine_limits.h"

namespace attnscope::bench {

inline double seconds_of(const std::function<void()>& work) {
  const double t0 = now_seconds();
  work();
  return now_seconds() - t0;
}

// A fresh scratch folder, the header, and the machine's matmul and disk write rates printed under it.
struct SessionBench {
  std::filesystem::path dir;
  double gflops = 0, disk_mbs = 0;
};
inline SessionBench start_session_bench(const std::string& folder, const std::string& header) {
  set_threads_to_cores();
  SessionBench b;
  b.dir = std::filesystem::temp_directory_path() / folder;
  std::filesystem::remove_all(b.dir);
  std::filesystem::create_directories(b.dir);
  b.gflops = matmul_gflops();
  b.disk_mbs = disk_write_mbs(b.dir, size_t(256) << 20);
  print_header(header);
  print_row("matmul fp32", b.gflops, "GFLOP/s");
  print_row("disk write", b.disk_mbs, "MB/s");
  return b;
}

// L token ids spread over the vocabulary.
inline Prompt spread_prompt(const LoadedModel& loaded, int64_t L, int64_t vocab) {
  std::vector<int64_t> ids(static_cast<size_t>(L));
  for (int64_t i = 0; i < L; ++i) ids[i] = (i * 7919) % vocab;
  return prompt_from_ids(loaded, ids);
}

// The plain forward (nothing captured): its seconds and the process's peak memory while it ran.
struct TimedForward {
  double seconds = 0, peak_rss_mb = 0;
};
inline TimedForward plain_forward(const LoadedModel& loaded, const Prompt& prompt) {
  reset_peak_rss();
  TimedForward out;
  out.seconds = seconds_of([&] { run_forward(*loaded.model, prompt.ids_tensor(), ForwardOptions{}); });
  out.peak_rss_mb = peak_rss_mb();
  return out;
}

struct RecordedSession {
  double seconds = 0, peak_rss_mb = 0, file_mb = 0;
};

inline RecordedSession record_session(const LoadedModel& loaded, const Prompt& prompt, const std::filesystem::path& path,
                                      const RecordOptions& options = RecordOptions{}) {
  reset_peak_rss();
  RecordedSession out;
  out.seconds = seconds_of([&] {
    auto writer = session::SessionWriter::create(path);
    record_run(loaded, prompt, "bench", writer, options);
    writer.commit();
  });
  out.peak_rss_mb = peak_rss_mb();
  out.file_mb = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
  return out;
}

// The plain forward of L tokens spread over the vocabulary, then the session
// of the same prompt recorded into dir/session-L.h5.
struct SessionAgainstForward {
  TimedForward plain;
  RecordedSession recorded;
  std::filesystem::path path;
};
inline SessionAgainstForward session_against_forward(const LoadedModel& loaded, int64_t L, int64_t vocab,
                                                     const std::filesystem::path& dir,
                                                     const RecordOptions& options = RecordOptions{}) {
  const Prompt prompt = spread_prompt(loaded, L, vocab);
  SessionAgainstForward out;
  out.plain = plain_forward(loaded, prompt);
  out.path = dir / ("session-" + std::to_string(L) + ".h5");
  out.recorded = record_session(loaded, prompt, out.path, options);
  return out;
}

// The session against its forward: times, the maps' products at the matmul
// rate (`product_seconds`, named by `products`), size on disk, peak memory.
inline void print_session_rows(const std::string& tag, const SessionAgainstForward& run, double product_seconds,
                               const std::string& products) {
  const double forward = run.plain.seconds, session = run.recorded.seconds;
  print_row(tag + " forward", forward, "s");
  print_row(tag + " session", session, "s", session / forward, "x the forward");
  print_row(tag + " ... " + products + " at the matmul rate", product_seconds, "s", product_seconds / session,
            "of the session");
  print_row(tag + " session on disk", run.recorded.file_mb, "MB");
  print_row(tag + " peak RSS forward / session", run.plain.peak_rss_mb, "MB",
            run.recorded.peak_rss_mb / run.plain.peak_rss_mb, "session / forward");
}

// One head's whole map recomputed from the session's factors of `row` (into
// memory already in use) and a screen-sized region of the next head, timed
// and printed against the goals (50 ms up to 2048 tokens, 500 ms beyond; 50 ms).
inline void print_maps_from_session(const session::SessionReader& reader, int row, int head, int64_t L,
                                    const std::string& tag) {
  const auto factors = reader.factors(row);
  std::vector<float> map(static_cast<size_t>(L * L));
  const double full = seconds_of([&] { session::compute_tile(*factors, head, 0, 0, L, L, map.data()); });
  const int64_t side = std::min<int64_t>(512, L);
  const double region =
      seconds_of([&] { reader.read_tile(row, head + 1, L - side, std::min(L / 3, L - side), side, side); });
  print_row(tag + " one head's map from the session", full * 1e3, "ms", full / (L <= 2048 ? 0.05 : 0.5),
            L <= 2048 ? "of 50 ms" : "of 500 ms");
  print_row(tag + " a " + std::to_string(side) + "^2 region", region * 1e3, "ms", region / 0.05, "of 50 ms");
}

}  // namespace attnscope::bench
