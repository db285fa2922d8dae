#pragma once
// The sweep's figure as SVG: per mixer row x head, the change in log
// p(target) with that head ablated (red where the answer suffers) and the
// KL divergence of the next-token distribution (purple), with a legend.
#include <filesystem>
#include <string>

#include "core/ablation/head_sweep.h"

namespace attnscope::cli {

void write_sweep_figure(const SweepResult& result, const std::string& title, const std::filesystem::path& path);

}  // namespace attnscope::cli
