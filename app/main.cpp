// attnscope: one binary for the CLI's subcommands (and, in GUI builds, the window).
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "app/cli/commands.h"
#include "attnscope/version.h"
#include "core/runtime/device.h"
#include "core/util/error.h"

int main(int argc, char** argv) {
  using namespace attnscope;
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
    cli::print_usage();
    return argc < 2 ? 2 : 0;
  }
  if (!std::strcmp(argv[1], "--version")) {
    std::printf("attnscope %s\n", ATTNSCOPE_VERSION);
    return 0;
  }
  use_all_cores();
  const std::string name = argv[1];
  for (const auto& c : cli::commands()) {
    if (name != c.name) continue;
    try {
      return c.run(cli::Argv(argv + 2, argv + argc));
    } catch (const Error& e) {
      std::fprintf(stderr, "attnscope %s: %s\n", c.name, e.what());
      return 1;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "attnscope %s: internal error: %s\n", c.name, e.what());
      return 3;
    }
  }
  std::fprintf(stderr, "attnscope: unknown command '%s' (try attnscope --help)\n", name.c_str());
  return 2;
}
