#include "widgets/figure_composer.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace attnscope::widgets {
MapRegion resolved_region(MapRegion r, int length) {
  if (r.row_end < 0) r.row_end = length;
  if (r.col_end < 0) r.col_end = length;
  const auto bad = [&](const char* what, int b, int e) {
    return std::invalid_argument(QString("%1 %2:%3 is empty or leaves the prompt (0:%4)")
                                     .arg(what).arg(b).arg(e).arg(length).toStdString());
  };
  if (r.row_begin < 0 || r.row_end > length || r.row_begin >= r.row_end) throw bad("queries", r.row_begin, r.row_end);
  if (r.col_begin < 0 || r.col_end > length || r.col_begin >= r.col_end) throw bad("keys", r.col_begin, r.col_end);
  return r;
}

namespace {
// Region r of a panel's cells, which hold the whole map or the region `held`.
std::vector<float> cut(const MapPanel& panel, int length, const MapRegion& r) {
  const MapRegion from = panel.held ? *panel.held : MapRegion{0, length, 0, length};
  const int64_t stride = from.col_end - from.col_begin;
  if (static_cast<int64_t>(panel.values.size()) != int64_t(from.row_end - from.row_begin) * stride)
    throw std::invalid_argument(panel.held ? "a map region's cells do not match its size"
                                           : "a map does not match the prompt's length");
  if (r.row_begin < from.row_begin || r.row_end > from.row_end || r.col_begin < from.col_begin || r.col_end > from.col_end)
    throw std::invalid_argument("a map region does not hold the figure's region");
  std::vector<float> out;
  out.reserve(static_cast<size_t>(r.row_end - r.row_begin) * (r.col_end - r.col_begin));
  for (int i = r.row_begin; i < r.row_end; ++i) {
    const float* row = panel.values.data() + (i - from.row_begin) * stride - from.col_begin;
    out.insert(out.end(), row + r.col_begin, row + r.col_end);
  }
  return out;
}
}  // namespace

PaperFigure compose_figure(const QVector<MapPanel>& panels, int length, const QStringList& labels, const MapRegion& wanted,
                           const FigureStyle& style, const QString& title) {
  const MapRegion r = resolved_region(wanted, length);
  PaperFigure figure;
  figure.title = title;
  figure.row_labels = figure.col_labels = labels;
  figure.font_pt = style.font_pt;
  figure.marks = style.marks;
  const int rows = r.row_end - r.row_begin, cols = r.col_end - r.col_begin;

  // Maps share scale 0, differences the scale after it.
  const bool has_maps = std::any_of(panels.begin(), panels.end(), [](const MapPanel& p) { return !p.difference; });
  bool any_map = false, any_difference = false, any_signed = false;
  ValueRange maps{0, 0}, differences{0, 0};
  for (const MapPanel& source : panels) {
    FigurePanel panel;
    const std::vector<float> region = cut(source, length, r);
    const MatrixView view{region.data(), rows, cols, true, r.row_begin, r.col_begin};
    // Differences are shown as they are: row scaling or clipping would hide their size.
    const DisplayedMap shown = prepare_display(view, source.difference ? DisplayOptions{} : style.display);
    panel.values = shown.values;
    panel.rows = rows, panel.cols = cols, panel.row_begin = r.row_begin, panel.col_begin = r.col_begin;
    panel.title = source.title;
    for (const QPoint& c : source.marks)
      if (c.y() >= r.row_begin && c.y() < r.row_end && c.x() >= r.col_begin && c.x() < r.col_end)
        panel.marks << QPoint(c.x() - r.col_begin, c.y() - r.row_begin);
    ValueRange& range = source.difference ? differences : maps;
    const bool first = source.difference ? !any_difference : !any_map;
    range = first ? shown.range : united(range, shown.range);
    if (source.difference) any_difference = true;
    else any_map = true, any_signed = any_signed || shown.is_signed;
    panel.scale = source.difference && has_maps ? 1 : 0;
    figure.panels << panel;
  }
  if (any_map) {
    const ColourMapKind kind = style.colour_map ? *style.colour_map
                               : any_signed     ? ColourMapKind::Diverging
                                                : ColourMapKind::Viridis;
    FigureScale scale{ColourMap(kind), maps, style.scale, "weight"};
    if (style.display.row_normalise) scale.label = "weight / row max";
    if (kind == ColourMapKind::Diverging) {
      const double a = std::max(std::abs(maps.low), std::abs(maps.high));
      scale.range = {-a, a};
    }
    figure.scales << scale;
  }
  if (any_difference) {
    const double a = std::max({std::abs(differences.low), std::abs(differences.high), 1e-12});
    figure.scales << FigureScale{ColourMap(ColourMapKind::Diverging), {-a, a}, ScaleKind::Linear, "difference"};
  }
  return figure;
}

}  // namespace attnscope::widgets
