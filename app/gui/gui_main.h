#pragma once
// The desktop window's entry point (GUI builds only).
#include <string>

namespace attnscope::gui {

struct GuiOptions {
  std::string open;    // a session file or a checkpoint folder to start with
  bool run_demo = false;  // run the first bundled demo model on the demo prompt at once
  std::string script;  // steps to drive the window (gui_script.h), then quit
};

int run_gui(int argc, char** argv, const GuiOptions& options);

}  // namespace attnscope::gui
