#pragma once
// Opening files a user names (checkpoints, configs, tokenizers, prompts,
// sessions, task files) so that none of them can hang or surprise us: the
// path must lead to a regular file. A FIFO in place of config.json would
// block a plain open() forever; here it is opened non-blocking, seen for
// what it is, and refused. Errors name the path and say what it is instead.
#include <cstdint>
#include <filesystem>
#include <string>

namespace attnscope::files {

// An open file descriptor, closed on destruction.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd();
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Opens `path` read-only after checking it is a regular file (following
// symlinks). Throws attnscope::Error: missing, a folder, a FIFO, a device, a
// socket, a symlink loop, or unreadable.
Fd open_regular_file(const std::filesystem::path& path);

// The same check without keeping the file open, for libraries that open by
// path themselves (HDF5). `what` names the file's role in the message.
void require_regular_file(const std::filesystem::path& path);

// "a folder", "a FIFO (named pipe)", "a device", ... for a stat mode that is not a regular file.
std::string file_kind(unsigned mode);

// The whole file as bytes; refuses files larger than `max_bytes`.
std::string read_file(const std::filesystem::path& path, uint64_t max_bytes = uint64_t(1) << 31);

}  // namespace attnscope::files
