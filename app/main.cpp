// attnscope: one binary for the CLI's subcommands and, in GUI builds, the window.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "attnscope/version.h"
#include "core/runtime/device.h"
#include "core/runtime/large_block_allocator.h"
#include "core/util/atomic_output.h"
#include "core/util/error.h"
#ifdef ATTNSCOPE_WITH_GUI
#include "app/gui/export_command.h"
#include "app/gui/gui_main.h"
#endif

namespace {
// LibTorch reports a failed allocation as c10::Error, whose text starts
// with the allocator's sentence and goes on with a backtrace.
bool is_out_of_memory(const std::exception& e) {
  const std::string what = e.what();
  return what.find("out of memory") != std::string::npos || what.find("can't allocate memory") != std::string::npos ||
         what.find("bad_alloc") != std::string::npos;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

bool has_display() {
  for (const char* v : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"})
    if (const char* s = std::getenv(v); s && *s) return true;
  return false;
}
}  // namespace

int main(int argc, char** argv) {
  using namespace attnscope;
  if (argc >= 2 && (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h"))) {
    cli::print_usage();
    return 0;
  }
  if (argc >= 2 && !std::strcmp(argv[1], "--version")) {
    std::printf("attnscope %s\n", ATTNSCOPE_VERSION);
    return 0;
  }
  if (argc >= 3 && (!std::strcmp(argv[2], "--help") || !std::strcmp(argv[2], "-h")) && cli::print_command_usage(argv[1]))
    return 0;
  use_large_block_allocator();
  configure_cpu_threads();
  files::remove_partial_outputs_on_signals();
  const std::string name = argc >= 2 ? argv[1] : "";
#ifdef ATTNSCOPE_WITH_GUI
  const bool headless_demo = name == "demo" && (!has_display() || (argc >= 3 && !std::strcmp(argv[2], "--headless")));
  if (name.empty() || name == "gui" || (name == "demo" && !headless_demo)) {
    if (!has_display()) {
      std::fprintf(stderr,
                   "attnscope: no display to open the window on (DISPLAY and WAYLAND_DISPLAY are unset); "
                   "see attnscope --help for the commands, or run the window under xvfb-run\n");
      return 2;
    }
    gui::GuiOptions options;
    options.run_demo = name == "demo";
    if (name == "gui") {
      try {
        const cli::Args args(cli::Argv(argv + 2, argv + argc), {"script"}, {});
        if (args.positional().size() > 1) throw Error("give at most one session file or checkpoint folder");
        if (!args.positional().empty()) options.open = args.positional().front();
        options.script = args.value_or("script", "");
      } catch (const Error& e) {
        std::fprintf(stderr, "attnscope gui: %s\n", e.what());
        return 2;
      }
    }
    int qt_argc = 1;
    return gui::run_gui(qt_argc, argv, options);
  }
  if (name == "export") {
    int qt_argc = 1;
    return gui::export_command(qt_argc, argv, cli::Argv(argv + 2, argv + argc));
  }
#else
  if (name.empty() || name == "gui") {
    std::fprintf(stderr, "attnscope: this build has no window (built with ATTNSCOPE_GUI=OFF); see attnscope --help\n");
    return 2;
  }
  (void)has_display;
#endif
  for (const auto& c : cli::commands()) {
    if (name != c.name) continue;
    try {
      return c.run(cli::Argv(argv + 2, argv + argc));
    } catch (const Error& e) {
      std::fprintf(stderr, "attnscope %s: %s\n", c.name, e.what());
      return 1;
    } catch (const std::filesystem::filesystem_error& e) {
      // A file system refusal on a path the user gave (a loop, a permission).
      std::fprintf(stderr, "attnscope %s: %s: %s\n", c.name, e.path1().c_str(), e.code().message().c_str());
      return 1;
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "attnscope %s: out of memory (try a shorter prompt, fewer layers, or a GPU)\n", c.name);
      return 1;
    } catch (const std::exception& e) {
      if (is_out_of_memory(e)) {
        std::fprintf(stderr, "attnscope %s: out of memory: %s\n", c.name, first_line(e.what()).c_str());
        return 1;
      }
      std::fprintf(stderr, "attnscope %s: internal error: %s\n", c.name, first_line(e.what()).c_str());
      return 3;
    }
  }
  std::fprintf(stderr, "attnscope: unknown command '%s' (try attnscope --help)\n", name.c_str());
  return 2;
}
