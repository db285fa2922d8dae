#pragma once
// Per-head grids as SVG (vector text, no toolkit: headless builds and
// cluster nodes draw them too), shared by the scan's and the sweep's figures.
#include <ostream>
#include <string>
#include <vector>

namespace attnscope::cli {

struct Rgb {
  double r, g, b;
};

// A ramp from white (t = 0) to `full` (t = 1); NaN is light grey.
std::string colour(double t, const Rgb& full);
std::string escape(const std::string& s);
// "42" (percent) or "0.42"; with `significant` > 0, that many significant
// digits ("-0.0046"), for values far below 1; "" for NaN.
std::string cell_text(double v, bool percent, int significant = 0);

// One panel at (x0, y0): a caption, head numbers along the top, one labelled
// row per entry of `values`, each cell coloured from `low` (white) to
// `high` (`full`) and printed.
void panel(std::ostream& svg, double x0, double y0, double cell, const std::vector<std::string>& row_labels,
           const std::vector<std::vector<double>>& values, const std::string& caption, bool percent, const Rgb& full,
           double low, double high, int significant = 0);

}  // namespace attnscope::cli
