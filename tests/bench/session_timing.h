#pragma once
// Shared by the session benchmarks: the time of a piece of work, and a
// session recorded as `attnscope run --out` records it (the defaults: every
// map viewable) with the process's peak memory while it ran.
#include <filesystem>
#include <functional>

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

struct RecordedSession {
  double seconds = 0, peak_rss_mb = 0, file_mb = 0;
};

inline RecordedSession record_session(const LoadedModel& loaded, const Prompt& prompt, const std::filesystem::path& path) {
  reset_peak_rss();
  RecordedSession out;
  out.seconds = seconds_of([&] {
    auto writer = session::SessionWriter::create(path);
    record_run(loaded, prompt, "bench", writer, RecordOptions{});
    writer.commit();
  });
  out.peak_rss_mb = peak_rss_mb();
  out.file_mb = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
  return out;
}

}  // namespace attnscope::bench
