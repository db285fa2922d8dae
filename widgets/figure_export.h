#pragma once
// Figure sizes for papers, and export of any widget (the head grid) as it
// looks on screen. Maps go through paper_figure.h, laid out for the page.
#include <QString>

class QWidget;

namespace attnscope::widgets {

struct FigureSize {
  double width_mm = 85;   // one column of a two-column paper (~3.35 in)
  double height_mm = 85;
  int dpi = 300;          // PNG only
  static FigureSize column() { return {85, 85, 300}; }
  static FigureSize page() { return {178, 150, 300}; }  // a two-column paper's text width
};

// Any widget (e.g. the head grid) as PNG/PDF/SVG via its render(); a PDF
// page takes the widget's shape at the asked width, with lossless images.
// Format from the extension. Returns an empty string on success, else one
// message naming the file and the problem.
QString export_widget(QWidget* widget, const QString& path, const FigureSize& size);

}  // namespace attnscope::widgets
