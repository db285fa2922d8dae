#pragma once
// Opening a session from a stranger without trusting the HDF5 library with
// it. HDF5 parses a file's internal structure (object headers, B-trees,
// heaps) in C; a crafted or damaged file can make it loop forever or crash
// (fuzzing HDF5 1.10 finds both within minutes). So the file is first read
// through completely by a small helper process (attnscope-session-check,
// with a memory limit and a deadline); only when it comes back clean is the
// session opened in this process. A helper that crashes or hangs means a
// damaged file: one clear message, and this process is untouched.
#include <filesystem>
#include <memory>

#include "core/session/session_reader.h"

namespace attnscope::session {

// Where the helper is: $ATTNSCOPE_SESSION_CHECK, beside the running binary,
// in ../lib/attnscope from it (installed), or in the build tree.
std::filesystem::path session_check_helper();

// Throws attnscope::Error naming the file when the helper finds it bad,
// crashes on it or does not finish (15 s plus 1 s per 50 MB of file;
// ATTNSCOPE_SESSION_CHECK_MS sets another deadline).
void check_session_in_helper(const std::filesystem::path& path);

// check_session_in_helper, then the reader.
std::unique_ptr<SessionReader> open_session_checked(const std::filesystem::path& path);

// What the helper does: every check of SessionReader plus a walk of every
// chunk index. Returns 0, or prints one line and returns 1.
int run_session_check(const std::filesystem::path& path);

}  // namespace attnscope::session
