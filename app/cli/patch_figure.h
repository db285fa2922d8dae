#pragma once
// The patching figure as SVG: per mixer row x head, the fraction of the
// logit difference a head's patch recovers (blue; negative stays white),
// and, for one chosen head, the same along the prompt's positions with each
// token under its cell.
#include <filesystem>
#include <string>
#include <vector>

#include "core/ablation/activation_patching.h"

namespace attnscope::cli {

struct PatchFigure {
  std::string title, subtitle;
  std::vector<std::string> row_labels;  // per mixer row (sweep only)
  std::vector<PatchSweepRow> heads;     // empty: no head grid
  std::string position_caption;         // the chosen head's name
  std::vector<PositionPatchRow> positions;
  std::vector<std::string> tokens;      // one label per position
};

void write_patch_figure(const PatchFigure& figure, const std::filesystem::path& path);

}  // namespace attnscope::cli
