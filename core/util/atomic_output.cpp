#include "core/util/atomic_output.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cctype>
#include <climits>
#include <cstring>
#include <mutex>
#include <map>

#include "core/util/error.h"
#include "core/util/input_file.h"

namespace attnscope::files {
namespace fs = std::filesystem;

namespace {

// Temp files a signal handler must remove. Fixed slots of plain chars:
// the handler may only touch async-signal-safe state.
constexpr int kSlots = 64;
struct Slot {
  std::atomic<bool> used{false};
  char path[PATH_MAX];
};
Slot g_slots[kSlots];

int register_temp(const fs::path& path) {
  const std::string s = path.string();
  if (s.size() >= PATH_MAX) return -1;
  for (int i = 0; i < kSlots; ++i) {
    bool expected = false;
    if (g_slots[i].used.load() || !g_slots[i].used.compare_exchange_strong(expected, true)) continue;
    std::memcpy(g_slots[i].path, s.c_str(), s.size() + 1);
    return i;
  }
  return -1;  // more than kSlots outputs at once: still removed on errors, not on signals
}

void unregister_temp(int slot) {
  if (slot >= 0) g_slots[slot].used.store(false);
}

void on_fatal_signal(int sig) {
  for (auto& slot : g_slots)
    if (slot.used.load()) ::unlink(slot.path);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

std::mutex g_protected_mutex;
std::map<fs::path, int>& protected_inputs() {  // path -> guards alive
  static std::map<fs::path, int> paths;
  return paths;
}

fs::path canonical_or_self(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p, ec), ec);
  return ec ? p : c;
}

bool process_alive(long pid) {
  if (pid <= 0 || pid > INT_MAX) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// "<name>.partial-<pid>[.<ext>]" beside the target, left by a process that is gone.
void remove_stale_partials(const fs::path& target) {
  const std::string prefix = target.filename().string() + ".partial-";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(target.parent_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    size_t digits = 0;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
    if (digits == 0 || digits > 9 || (digits < rest.size() && rest[digits] != '.')) continue;
    const long pid = std::stol(rest.substr(0, digits));
    if (pid == static_cast<long>(::getpid()) || process_alive(pid)) continue;
    std::error_code ignored;
    if (entry.is_regular_file(ignored)) fs::remove(entry.path(), ignored);
  }
}

void fsync_path(const fs::path& path, int flags, const fs::path& target, const char* what) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) fail_file(target, std::string("cannot reopen to flush ") + what + ": " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  // Folders on some file systems refuse fsync (EINVAL): the data itself is flushed.
  if (rc != 0 && !(err == EINVAL && (flags & O_DIRECTORY)))
    fail_file(target, std::string("flushing to disk failed (disk full?): ") + std::strerror(err));
}

}  // namespace

InputGuard::InputGuard(const fs::path& path) : path_(canonical_or_self(path)) {
  std::lock_guard<std::mutex> lock(g_protected_mutex);
  ++protected_inputs()[path_];
}

InputGuard::~InputGuard() {
  std::lock_guard<std::mutex> lock(g_protected_mutex);
  auto it = protected_inputs().find(path_);
  if (it != protected_inputs().end() && --it->second == 0) protected_inputs().erase(it);
}

namespace {
// The target to write (a symlink resolved to the file it names), or an Error.
fs::path checked_target(const fs::path& requested) {
  if (requested.empty()) throw Error("an output file name is empty");
  fs::path target = requested;
  struct stat st {};
  if (::stat(requested.c_str(), &st) == 0) {
    if (!S_ISREG(st.st_mode))
      fail_file(requested, "is " + file_kind(st.st_mode) + "; AttnScope writes only regular files (choose a file name)");
    target = canonical_or_self(requested);  // through a symlink: replace the file, keep the link
  } else if (errno == ELOOP) {
    fail_file(requested, "symbolic link loop");
  }
  {
    std::lock_guard<std::mutex> lock(g_protected_mutex);
    if (protected_inputs().count(canonical_or_self(target)))
      fail_file(requested, "is a file this run reads (the checkpoint's own); writing there would destroy it: "
                           "choose another name");
  }
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (::stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    fail_file(requested, "its folder " + folder.string() + " does not exist");
  if (::access(folder.c_str(), W_OK) != 0) fail_file(requested, "its folder " + folder.string() + " is not writable");
  return target.has_parent_path() ? target : fs::path(".") / target;
}
}  // namespace

void check_output_target(const fs::path& target) { (void)checked_target(target); }

AtomicOutput::AtomicOutput(const fs::path& requested, bool keep_extension) : target_(checked_target(requested)) {
  remove_stale_partials(target_);
  temp_ = target_.string() + ".partial-" + std::to_string(::getpid());
  if (keep_extension) temp_ += target_.extension().string();
  slot_ = register_temp(temp_);
}

AtomicOutput::AtomicOutput(AtomicOutput&& o) noexcept
    : target_(std::move(o.target_)), temp_(std::move(o.temp_)), slot_(o.slot_), done_(o.done_) {
  o.slot_ = -1;
  o.done_ = true;
}

AtomicOutput::~AtomicOutput() { discard(); }

void AtomicOutput::discard() {
  if (done_) return;
  done_ = true;
  ::unlink(temp_.c_str());
  unregister_temp(slot_);
  slot_ = -1;
}

void AtomicOutput::commit() {
  if (done_) throw Error(target_.string() + ": output already finished");
  struct stat st {};
  if (::stat(temp_.c_str(), &st) != 0) fail_file(target_, "nothing was written");
  fsync_path(temp_, O_RDONLY, target_, "the file");
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    const int err = errno;  // read before anything else can overwrite it
    discard();
    fail_file(target_, std::string("cannot move the finished file into place: ") + std::strerror(err));
  }
  done_ = true;
  unregister_temp(slot_);
  slot_ = -1;
  fsync_path(target_.parent_path(), O_RDONLY | O_DIRECTORY, target_, "its folder");
}

void write_file_atomically(const fs::path& target, std::string_view bytes) {
  AtomicOutput out(target);
  const int fd = ::open(out.temp().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_file(target, std::string("cannot create: ") + std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : ENOSPC;
      ::close(fd);
      fail_file(target, std::string("write failed (disk full?): ") + std::strerror(err));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) fail_file(target, std::string("write failed (disk full?): ") + std::strerror(errno));
  out.commit();
}

void remove_partial_outputs_on_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_fatal_signal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &sa, nullptr);
  // A file-size limit (ulimit -f) must end a write with an error, not kill the process mid-file.
  ::signal(SIGXFSZ, SIG_IGN);
}

}  // namespace attnscope::files
