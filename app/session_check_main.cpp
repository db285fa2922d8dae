// attnscope-session-check <session.h5>: reads a session's whole structure in
// a process of its own, so that a file that makes HDF5 loop or crash costs
// only this helper (core/session/checked_open.h). Exit 0: safe to open.
#include <cstdio>

#include "core/session/checked_open.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: attnscope-session-check <session.h5>\n");
    return 2;
  }
  return attnscope::session::run_session_check(argv[1]);
}
