#include "app/cli/sweep_figure.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

#include "app/cli/svg_grid.h"
#include "core/util/atomic_output.h"

namespace attnscope::cli {

void write_sweep_figure(const SweepResult& result, const std::string& title, const std::filesystem::path& path) {
  std::vector<std::string> labels;
  std::vector<std::vector<double>> delta, kl;
  size_t heads = 0;
  for (const auto& r : result.rows) heads = std::max(heads, static_cast<size_t>(r.head) + 1);
  double worst = 0, most_kl = 0;
  for (const auto& r : result.rows) {
    if (static_cast<size_t>(r.row) >= labels.size()) {
      labels.resize(r.row + 1);
      delta.resize(r.row + 1, std::vector<double>(heads, NAN));
      kl.resize(r.row + 1, std::vector<double>(heads, NAN));
    }
    labels[r.row] = r.label;
    delta[r.row][r.head] = r.delta_logprob;
    kl[r.row][r.head] = r.kl;
    worst = std::min(worst, r.delta_logprob);
    most_kl = std::max(most_kl, r.kl);
  }
  const double cell = std::clamp(360.0 / std::max<size_t>(heads, 1), 10.0, 36.0);
  const double panel_w = std::max(28 + heads * cell, 240.0), panel_h = 14 + labels.size() * cell;
  const double width = 2 * panel_w + 3 * 24, height = panel_h + 110;

  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height << "' viewBox='0 0 "
      << width << " " << height << "' font-family='DejaVu Sans, sans-serif'>\n<rect width='100%' height='100%' fill='white'/>\n";
  char stats[160];
  std::snprintf(stats, sizeof stats, "target log p %.3f intact; %zu heads ablated one at a time", result.intact_logprob,
                result.rows.size());
  svg << "<text x='24' y='22' font-size='14' font-weight='bold'>" << escape(title) << "</text>\n";
  svg << "<text x='24' y='40' font-size='12'>" << escape(stats) << "</text>\n";
  const double top = 72;
  // White at no change; full red at the largest drop (increases stay white: they are rare and small).
  panel(svg, 24, top, cell, labels, delta, "change in log p(target), head ablated", false, {178, 24, 43}, 0,
        std::min(worst, -1e-9), 2);
  panel(svg, 48 + panel_w, top, cell, labels, kl, "KL of the next token (nats)", false, {84, 39, 143}, 0,
        std::max(most_kl, 1e-9), 2);
  char legend[200];
  std::snprintf(legend, sizeof legend, "red: from 0 (white) to %.3g, the largest drop; purple: from 0 to %.3g nats",
                worst, most_kl);
  svg << "<text x='24' y='" << top + panel_h + 24 << "' font-size='11'>" << escape(legend) << "</text>\n";
  svg << "</svg>\n";
  files::write_file_atomically(path, svg.str());
}

}  // namespace attnscope::cli
