#include "app/cli/scan_figure.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "app/cli/svg_grid.h"
#include "core/util/atomic_output.h"

namespace attnscope::cli {

void write_scan_figure(const ScanResult& result, const std::string& title, const std::filesystem::path& path) {
  const auto& gather = result.scores.gather;
  const auto& aggregate = result.scores.aggregate;
  const size_t layers = aggregate.size();
  size_t heads = 0;
  for (const auto& row : aggregate) heads = std::max(heads, row.size());
  std::vector<std::vector<double>> zeroed(layers, std::vector<double>(heads, NAN));
  for (const auto& r : result.rows)
    if (r.condition.mode == "zero" && r.condition.row >= 0 && static_cast<size_t>(r.condition.row) < layers &&
        r.condition.head >= 0 && static_cast<size_t>(r.condition.head) < heads)
      zeroed[r.condition.row][r.condition.head] = r.accuracy;
  const double intact = intact_accuracy(result);
  const auto random = mean_drop(result, [](const ScanRow& r) { return r.condition.mode == "random"; });

  const double cell = std::clamp(360.0 / std::max<size_t>(heads, 1), 10.0, 36.0);
  const double panel_w = std::max(28 + heads * cell, 240.0), panel_h = 14 + layers * cell;
  const bool sharpness = !result.scores.sharpness.empty();
  const double width = (sharpness ? 4 : 3) * panel_w + 5 * 24, height = panel_h + 90;

  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height << "' viewBox='0 0 "
      << width << " " << height << "' font-family='DejaVu Sans, sans-serif'>\n<rect width='100%' height='100%' fill='white'/>\n";
  std::ostringstream stats;
  stats << "intact accuracy " << cell_text(intact, true) << "%";
  if (result.examples > 0) stats << " on " << result.examples << " examples";
  if (random.rows) stats << "; " << random.rows << " random heads zeroed: mean drop " << cell_text(random.drop, true) << " points";
  svg << "<text x='24' y='22' font-size='14' font-weight='bold'>" << escape(title) << "</text>\n";
  svg << "<text x='24' y='40' font-size='12'>" << escape(stats.str()) << "</text>\n";
  const double top = 72;
  std::vector<std::string> rows;
  for (size_t l = 0; l < layers; ++l) rows.push_back("L" + std::to_string(l));
  // Accuracy runs from the intact accuracy (white) to 0 (red): a drop reads as colour.
  panel(svg, 24, top, cell, rows, zeroed, "accuracy (%), head zeroed", true, {178, 24, 43}, intact, 0);
  panel(svg, 48 + panel_w, top, cell, rows, aggregate, "aggregate score", false, {33, 102, 172}, 0, 1);
  panel(svg, 72 + 2 * panel_w, top, cell, rows, gather, "gather score", false, {33, 102, 172}, 0, 1);
  if (sharpness)
    panel(svg, 96 + 3 * panel_w, top, cell, rows, result.scores.sharpness, "transition sharpness", false, {84, 39, 143}, 0, 1);
  svg << "</svg>\n";

  files::write_file_atomically(path, svg.str());
}

}  // namespace attnscope::cli
