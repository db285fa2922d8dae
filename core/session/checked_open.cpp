#include "core/session/checked_open.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/session/global_heap_check.h"
#include "core/session/hdf5_handle.h"
#include "core/session/object_header_check.h"
#include "core/session/structure_check.h"
#include "core/util/error.h"
#include "core/util/input_file.h"

extern char** environ;

namespace attnscope::session {
namespace fs = std::filesystem;

namespace {
constexpr const char* kHelperName = "attnscope-session-check";

// A generous deadline: the helper reads metadata only (seconds for the
// largest sessions); past it, HDF5 is looping.
std::chrono::milliseconds deadline_for(const fs::path& path) {
  if (const char* forced = std::getenv("ATTNSCOPE_SESSION_CHECK_MS"); forced && *forced)
    return std::chrono::milliseconds(std::strtoll(forced, nullptr, 10));
  std::error_code ec;
  const auto bytes = fs::file_size(path, ec);
  return std::chrono::milliseconds(15000 + (ec ? 0 : static_cast<int64_t>(bytes / (50 << 20)) * 1000));
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  const std::string prefix = std::string(kHelperName) + ": ";
  return line.rfind(prefix, 0) == 0 ? line.substr(prefix.size()) : line;
}
}  // namespace

fs::path session_check_helper() {
  if (const char* forced = std::getenv("ATTNSCOPE_SESSION_CHECK"); forced && *forced) return forced;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec) {
    candidates.push_back(exe.parent_path() / kHelperName);
    candidates.push_back(exe.parent_path() / ".." / "lib" / "attnscope" / kHelperName);
  }
#ifdef ATTNSCOPE_BUILD_HELPER_DIR
  candidates.push_back(fs::path(ATTNSCOPE_BUILD_HELPER_DIR) / kHelperName);
#endif
  for (const auto& c : candidates)
    if (::access(c.c_str(), X_OK) == 0) return c;
  throw Error(std::string("cannot check session files safely: ") + kHelperName +
              " is missing beside attnscope (reinstall AttnScope)");
}

void check_session_in_helper(const fs::path& path) {
  files::require_regular_file(path);  // FIFOs and devices never reach the helper either
  const fs::path helper = session_check_helper();
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw Error("cannot start the session check: " + std::string(std::strerror(errno)));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  const std::string helper_text = helper.string(), path_text = path.string();
  char* argv[] = {const_cast<char*>(helper_text.c_str()), const_cast<char*>(path_text.c_str()), nullptr};
  pid_t child = 0;
  const int spawned = posix_spawn(&child, helper_text.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (spawned != 0) {
    ::close(out[0]);
    throw Error("cannot start " + helper_text + ": " + std::strerror(spawned));
  }
  // Collect its one line of output until it exits or the deadline passes.
  std::string text;
  const auto end = std::chrono::steady_clock::now() + deadline_for(path);
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    char buf[512];
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;  // closed: the helper is done
    if (text.size() < 4096) text.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  if (timed_out) ::kill(child, SIGKILL);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) fail_file(path, "damaged session: reading its structure does not finish");
  if (WIFSIGNALED(status))
    fail_file(path, "damaged session: its structure crashes the HDF5 library (signal " +
                        std::to_string(WTERMSIG(status)) + ")");
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  const std::string reason = first_line(text);
  throw Error(reason.empty() ? path.string() + ": damaged session" : reason);
}

std::unique_ptr<SessionReader> open_session_checked(const fs::path& path) {
  check_session_in_helper(path);
  return std::make_unique<SessionReader>(path);
}

int run_session_check(const fs::path& path) {
  // HDF5 may try to allocate absurd sizes for a crafted file: cap the helper.
  rlimit limit{std::uint64_t(8) << 30, std::uint64_t(8) << 30};
  ::setrlimit(RLIMIT_AS, &limit);
  try {
    {
      // Before HDF5 decodes an attribute or reads a string: it trusts the
      // sizes inside header messages and global heaps.
      files::require_regular_file(path);  // never open a FIFO
      silence_hdf5_errors();
      H5Id file(H5Fis_hdf5(path.c_str()) > 0 ? H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT) : H5I_INVALID_HID);
      // An unopenable file: the reader says why; its heaps are still checked.
      const auto references = file.valid() ? check_object_headers(file, path) : std::vector<uint64_t>{};
      check_global_heaps(path, references);
    }
    const SessionReader reader(path);
    walk_chunk_indexes(reader.file_id(), path);
    for (const auto& name : reader.metric_names()) (void)reader.metric(name);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", kHelperName, e.what());
    return 1;
  }
}

}  // namespace attnscope::session
