#include "app/cli/scan_figure.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/util/atomic_output.h"

namespace attnscope::cli {
namespace {

struct Rgb {
  double r, g, b;
};

// Perceptually ordered ramps from white: accuracy (red where it collapses)
// and scores (blue where high). NaN cells are light grey.
std::string colour(double t, const Rgb& full) {
  if (std::isnan(t)) return "#e6e6e6";
  t = std::clamp(t, 0.0, 1.0);
  char buf[8];
  std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(255 + (full.r - 255) * t),
                static_cast<int>(255 + (full.g - 255) * t), static_cast<int>(255 + (full.b - 255) * t));
  return buf;
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

std::string cell_text(double v, bool percent) {
  if (std::isnan(v)) return "";
  char buf[16];
  if (percent) std::snprintf(buf, sizeof buf, "%.0f", 100 * v);
  else std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

// One panel: a layer x head grid of values with a caption.
void panel(std::ostream& svg, double x0, double y0, double cell, const std::vector<std::vector<double>>& values,
           const std::string& caption, bool percent, const Rgb& full, double low, double high) {
  svg << "<text x='" << x0 << "' y='" << y0 - 8 << "' font-size='12' font-weight='bold'>" << escape(caption)
      << "</text>\n";
  const size_t heads = values.empty() ? 0 : values.front().size();
  for (size_t h = 0; h < heads; ++h)
    svg << "<text x='" << x0 + 28 + (h + 0.5) * cell << "' y='" << y0 + 10
        << "' font-size='9' text-anchor='middle'>" << h << "</text>\n";
  for (size_t l = 0; l < values.size(); ++l) {
    const double y = y0 + 14 + l * cell;
    svg << "<text x='" << x0 + 24 << "' y='" << y + cell / 2 + 3 << "' font-size='9' text-anchor='end'>L" << l
        << "</text>\n";
    for (size_t h = 0; h < values[l].size(); ++h) {
      const double v = values[l][h];
      const double t = high != low ? (v - low) / (high - low) : 0;
      const double x = x0 + 28 + h * cell;
      svg << "<rect x='" << x << "' y='" << y << "' width='" << cell << "' height='" << cell << "' fill='"
          << colour(t, full) << "' stroke='white' stroke-width='1'/>\n";
      svg << "<text x='" << x + cell / 2 << "' y='" << y + cell / 2 + 3 << "' font-size='" << std::min(9.0, cell / 3)
          << "' text-anchor='middle' fill='" << (t > 0.6 ? "white" : "black") << "'>" << cell_text(v, percent)
          << "</text>\n";
    }
  }
}

}  // namespace

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
  // Accuracy runs from the intact accuracy (white) to 0 (red): a drop reads as colour.
  panel(svg, 24, top, cell, zeroed, "accuracy (%), head zeroed", true, {178, 24, 43}, intact, 0);
  panel(svg, 48 + panel_w, top, cell, aggregate, "aggregate score", false, {33, 102, 172}, 0, 1);
  panel(svg, 72 + 2 * panel_w, top, cell, gather, "gather score", false, {33, 102, 172}, 0, 1);
  if (sharpness)
    panel(svg, 96 + 3 * panel_w, top, cell, result.scores.sharpness, "transition sharpness", false, {84, 39, 143}, 0, 1);
  svg << "</svg>\n";

  files::write_file_atomically(path, svg.str());
}

}  // namespace attnscope::cli
