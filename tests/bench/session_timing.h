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

}  // namespace attnscope::bench
