#pragma once
// The desktop window's entry point (GUI builds only). `open` is a session
// file or a checkpoint folder to start with; `run_demo` runs the first
// bundled demo model on the demo prompt at once.
#include <string>

namespace attnscope::gui {

int run_gui(int argc, char** argv, const std::string& open, bool run_demo);

}  // namespace attnscope::gui
