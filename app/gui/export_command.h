#pragma once
// attnscope export <session.h5> --layer L [--mixer attn|ssm] --head H --out fig.pdf|svg|png
// [--dpi 300] [--width-mm 85] [--height-mm 85] [--log] [--colour-map viridis]
// [--diff-ablation N]: the heatmap figure the window exports, without a display.
#include <string>
#include <vector>

namespace attnscope::gui {

int export_command(int argc, char** argv, const std::vector<std::string>& args);

}  // namespace attnscope::gui
