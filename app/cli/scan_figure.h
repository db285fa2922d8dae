#pragma once
// The scan's figure as a self-contained SVG (vector text, no toolkit needed,
// so headless builds and cluster nodes draw it too): per layer x head, the
// accuracy with that head zeroed, the heads' aggregate and gather scores and
// their transition sharpness (absent when drawn from a merged CSV),
// with the intact accuracy and the random controls in the title.
#include <filesystem>
#include <string>

#include "core/ablation/head_scan.h"

namespace attnscope::cli {

void write_scan_figure(const ScanResult& result, const std::string& title, const std::filesystem::path& path);

}  // namespace attnscope::cli
