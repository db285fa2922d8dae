#pragma once
// Figures for papers from any QCustomPlot view: PDF and SVG with vector axes
// and text, or PNG at a chosen DPI, sized for a paper column or page.
#include <QList>
#include <QString>

class QCustomPlot;
class QWidget;

namespace attnscope::widgets {

struct FigureSize {
  double width_mm = 85;   // one column of a two-column paper (~3.35 in)
  double height_mm = 85;
  int dpi = 300;          // PNG only
  static FigureSize column() { return {85, 85, 300}; }
  static FigureSize page() { return {175, 150, 300}; }
};

// Format from the extension (.pdf, .svg, .png). Returns an empty string on
// success, else one message naming the file and the problem.
QString export_plot(QCustomPlot* plot, const QString& path, const FigureSize& size);
// Several plots side by side in one figure (a comparison, before/after/diff),
// each a equal share of the width; same formats and guarantees.
QString export_plots(const QList<QCustomPlot*>& plots, const QString& path, const FigureSize& size);
// Any widget (e.g. the head grid) as PNG/PDF/SVG via its render().
QString export_widget(QWidget* widget, const QString& path, const FigureSize& size);

}  // namespace attnscope::widgets
