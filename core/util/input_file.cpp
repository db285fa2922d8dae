#include "core/util/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/util/error.h"

namespace attnscope::files {
std::string file_kind(unsigned mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

namespace {
[[noreturn]] void fail_open(const std::filesystem::path& path, int err) {
  if (err == ENOENT) fail_file(path, "no such file");
  if (err == ELOOP) fail_file(path, "symbolic link loop");
  if (err == EISDIR) fail_file(path, "is a folder, not a file");
  if (err == EACCES) fail_file(path, "permission denied");
  fail_file(path, std::string("cannot open: ") + std::strerror(err));
}
}  // namespace

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

Fd open_regular_file(const std::filesystem::path& path) {
  // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
  Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) fail_open(path, errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) fail_open(path, errno);
  if (!S_ISREG(st.st_mode)) fail_file(path, "is " + file_kind(st.st_mode) + ", not a regular file");
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

void require_regular_file(const std::filesystem::path& path) { (void)open_regular_file(path); }

std::string read_file(const std::filesystem::path& path, uint64_t max_bytes) {
  const Fd fd = open_regular_file(path);
  struct stat st {};
  ::fstat(fd.get(), &st);
  if (static_cast<uint64_t>(st.st_size) > max_bytes)
    fail_file(path, "is " + std::to_string(st.st_size) + " bytes, more than the " + std::to_string(max_bytes) +
                        " this file may hold");
  std::string out;
  out.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_file(path, std::string("read failed: ") + std::strerror(errno));
    }
    if (n == 0) break;
    if (out.size() + static_cast<uint64_t>(n) > max_bytes) fail_file(path, "grew while being read");
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace attnscope::files
