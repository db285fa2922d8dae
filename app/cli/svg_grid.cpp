#include "app/cli/svg_grid.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace attnscope::cli {

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

std::string cell_text(double v, bool percent, int significant) {
  if (std::isnan(v)) return "";
  char buf[32];
  if (significant > 0) std::snprintf(buf, sizeof buf, "%.*g", significant, v);
  else if (percent) std::snprintf(buf, sizeof buf, "%.0f", std::round(100 * v) == 0 ? 0.0 : 100 * v);  // never "-0"
  else std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

void panel(std::ostream& svg, double x0, double y0, double cell, const std::vector<std::string>& row_labels,
           const std::vector<std::vector<double>>& values, const std::string& caption, bool percent, const Rgb& full,
           double low, double high, int significant) {
  svg << "<text x='" << x0 << "' y='" << y0 - 8 << "' font-size='12' font-weight='bold'>" << escape(caption)
      << "</text>\n";
  const size_t heads = values.empty() ? 0 : values.front().size();
  for (size_t h = 0; h < heads; ++h)
    svg << "<text x='" << x0 + 28 + (h + 0.5) * cell << "' y='" << y0 + 10
        << "' font-size='9' text-anchor='middle'>" << h << "</text>\n";
  for (size_t l = 0; l < values.size(); ++l) {
    const double y = y0 + 14 + l * cell;
    svg << "<text x='" << x0 + 24 << "' y='" << y + cell / 2 + 3 << "' font-size='9' text-anchor='end'>"
        << escape(l < row_labels.size() ? row_labels[l] : std::to_string(l)) << "</text>\n";
    for (size_t h = 0; h < values[l].size(); ++h) {
      const double v = values[l][h];
      const double t = high != low ? (v - low) / (high - low) : 0;
      const double x = x0 + 28 + h * cell;
      svg << "<rect x='" << x << "' y='" << y << "' width='" << cell << "' height='" << cell << "' fill='"
          << colour(t, full) << "' stroke='white' stroke-width='1'/>\n";
      const std::string text = cell_text(v, percent, significant);
      // Small enough that the text stays inside its cell (a digit is about 0.6 of the font size wide).
      const double size = std::min({9.0, cell / 3, 0.9 * cell / (0.6 * std::max<size_t>(text.size(), 1))});
      svg << "<text x='" << x + cell / 2 << "' y='" << y + cell / 2 + 3 << "' font-size='" << size
          << "' text-anchor='middle' fill='" << (t > 0.6 ? "white" : "black") << "'>" << text << "</text>\n";
    }
  }
}

}  // namespace attnscope::cli
