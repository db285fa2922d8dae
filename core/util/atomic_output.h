#pragma once
// Every file AttnScope writes (sessions, dumps, figures, CSVs, checkpoints
// from `train`) is written to a temporary file beside its target, flushed to
// disk, and renamed over the target only when complete: a full disk, a crash
// or a signal never leaves half a file under the user's name, and an
// existing file is replaced only by a finished one.
//
// Before anything is written the target is checked: it must be a regular
// file or absent, its folder must exist, and it must not be one of the
// files this run reads (a checkpoint's weights, config or tokenizer). Temp
// files of processes that died (kill -9) beside the same target are removed.
#include <filesystem>
#include <string>
#include <string_view>

namespace attnscope::files {

// An input this process has open (a checkpoint's weights, config or
// tokenizer): while the guard lives, no output may replace the file.
class InputGuard {
 public:
  explicit InputGuard(const std::filesystem::path& path);
  ~InputGuard();
  InputGuard(const InputGuard&) = delete;
  InputGuard& operator=(const InputGuard&) = delete;

 private:
  std::filesystem::path path_;
};

class AtomicOutput {
 public:
  // Throws attnscope::Error naming the target when it cannot be written.
  // keep_extension: the temp file ends in the target's extension too, for
  // writers that choose the format from it (figures).
  explicit AtomicOutput(const std::filesystem::path& target, bool keep_extension = false);
  ~AtomicOutput();  // removes the temp file unless committed
  AtomicOutput(AtomicOutput&& other) noexcept;
  AtomicOutput& operator=(AtomicOutput&&) = delete;
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

  const std::filesystem::path& target() const { return target_; }
  const std::filesystem::path& temp() const { return temp_; }  // write here
  // fsyncs the temp file, renames it over the target, fsyncs the folder.
  void commit();
  // Removes the temp file now (the write failed); idempotent.
  void discard();

 private:
  std::filesystem::path target_, temp_;
  int slot_ = -1;  // in the signal-cleanup registry
  bool done_ = false;
};

// The checks AtomicOutput makes, without creating anything: commands call
// it for every output they will write before doing the work.
void check_output_target(const std::filesystem::path& target);

// A whole file in one go, through an AtomicOutput.
void write_file_atomically(const std::filesystem::path& target, std::string_view bytes);

// SIGINT, SIGTERM and SIGHUP remove every unfinished temp file, then end the
// process as the signal would have. Call once at start-up.
void remove_partial_outputs_on_signals();

}  // namespace attnscope::files
