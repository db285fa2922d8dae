#include "app/cli/patch_figure.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "app/cli/svg_grid.h"
#include "core/util/atomic_output.h"

namespace attnscope::cli {
namespace {

constexpr Rgb kRecoveredBlue{33, 102, 172};

// Fractions above 1 (a head that overshoots) widen the ramp so 1 is not saturated.
double ramp_top(double largest) { return std::max(1.0, largest); }

}  // namespace

void write_patch_figure(const PatchFigure& f, const std::filesystem::path& path) {
  size_t heads = 0;
  for (const auto& r : f.heads) heads = std::max(heads, static_cast<size_t>(r.head) + 1);
  std::vector<std::vector<double>> grid(f.row_labels.size(), std::vector<double>(heads, NAN));
  double largest = 0;
  for (const auto& r : f.heads) {
    grid.at(r.row)[r.head] = r.recovered;
    largest = std::max(largest, r.recovered);
  }
  const double cell = std::clamp(360.0 / std::max<size_t>(heads, 1), 10.0, 36.0);
  const double grid_w = f.heads.empty() ? 0 : 28 + heads * cell, grid_h = f.heads.empty() ? 0 : 14 + grid.size() * cell + 40;
  const double position_cell = f.positions.empty() ? 0 : std::clamp(900.0 / f.positions.size(), 6.0, 28.0);
  const double strip_w = 28 + f.positions.size() * position_cell, strip_h = f.positions.empty() ? 0 : position_cell + 110;
  const std::string legend[] = {
      "recovered: how far a patch moves the logit difference from the receiving run's value (0%)",
      "to the source run's (100%); white at 0% or below, full blue at 100% (or the largest, when above)"};
  // Text is about 0.6 of its font size wide per character.
  const double text_w = std::max({0.62 * 14 * f.title.size(), 0.6 * 12 * f.subtitle.size(), 0.6 * 11 * legend[1].size()});
  const double width = std::max({grid_w, strip_w, text_w}) + 48, height = 72 + grid_h + strip_h + 40;

  std::ostringstream svg;
  svg << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height << "' viewBox='0 0 "
      << width << " " << height << "' font-family='DejaVu Sans, sans-serif'>\n<rect width='100%' height='100%' fill='white'/>\n";
  svg << "<text x='24' y='22' font-size='14' font-weight='bold'>" << escape(f.title) << "</text>\n";
  svg << "<text x='24' y='40' font-size='12'>" << escape(f.subtitle) << "</text>\n";
  double y = 72;
  if (!f.heads.empty()) {
    panel(svg, 24, y, cell, f.row_labels, grid, "recovered fraction of the logit difference (%), head patched", true,
          kRecoveredBlue, 0, ramp_top(largest));
    y += grid_h;
  }
  if (!f.positions.empty()) {
    double top = 0;
    for (const auto& p : f.positions) top = std::max(top, p.recovered);
    svg << "<text x='24' y='" << y - 8 << "' font-size='12' font-weight='bold'>"
        << escape(f.position_caption + " patched at one position: recovered fraction (%)") << "</text>\n";
    for (size_t i = 0; i < f.positions.size(); ++i) {
      const double x = 52 + i * position_cell, v = f.positions[i].recovered;
      svg << "<rect x='" << x << "' y='" << y << "' width='" << position_cell << "' height='" << position_cell
          << "' fill='" << colour(v / ramp_top(top), kRecoveredBlue) << "' stroke='white' stroke-width='1'>"
          << "<title>" << i << ": " << escape(cell_text(v, true)) << "%</title></rect>\n";
      const std::string token = i < f.tokens.size() ? f.tokens[i] : std::to_string(i);
      const double tx = x + position_cell / 2, ty = y + position_cell + 6;
      svg << "<text x='" << tx << "' y='" << ty << "' font-size='" << std::min(9.0, position_cell * 0.9)
          << "' text-anchor='end' transform='rotate(-60 " << tx << " " << ty << ")'>" << escape(token) << "</text>\n";
    }
    y += strip_h;
  }
  for (const std::string& line : legend) {
    svg << "<text x='24' y='" << y << "' font-size='11'>" << escape(line) << "</text>\n";
    y += 15;
  }
  svg << "</svg>\n";
  files::write_file_atomically(path, svg.str());
}

}  // namespace attnscope::cli
