#include "widgets/figure_export.h"

#include <cmath>
#include <qcustomplot.h>

#include <QFileInfo>
#include <QPdfWriter>
#include <QSvgGenerator>

namespace attnscope::widgets {
namespace {
constexpr double kPointsPerMm = 72.0 / 25.4;

QString suffix_of(const QString& path) { return QFileInfo(path).suffix().toLower(); }

QString unknown_format(const QString& path) {
  return path + ": unknown figure format (use .pdf, .svg or .png)";
}
}  // namespace

QString export_plot(QCustomPlot* plot, const QString& path, const FigureSize& size) {
  const QString suffix = suffix_of(path);
  const int w_pt = static_cast<int>(std::lround(size.width_mm * kPointsPerMm));
  const int h_pt = static_cast<int>(std::lround(size.height_mm * kPointsPerMm));
  bool ok = false;
  if (suffix == "pdf") {
    ok = plot->savePdf(path, w_pt, h_pt, QCP::epNoCosmetic, "AttnScope", "AttnScope figure");
  } else if (suffix == "svg") {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(QSize(w_pt, h_pt));
    svg.setViewBox(QRect(0, 0, w_pt, h_pt));
    svg.setTitle("AttnScope figure");
    QCPPainter painter;
    if (painter.begin(&svg)) {
      painter.setMode(QCPPainter::pmVectorized);
      painter.setMode(QCPPainter::pmNoCaching);
      plot->toPainter(&painter, w_pt, h_pt);
      ok = painter.end();
    }
  } else if (suffix == "png") {
    // Lay out at the physical size in points, then scale to the DPI: text and
    // lines keep their size relative to the figure.
    // The pixel size is exactly mm / 25.4 * dpi; QCustomPlot rounds width * scale.
    const double px_w = std::round(size.width_mm / 25.4 * size.dpi), px_h = std::round(size.height_mm / 25.4 * size.dpi);
    const double scale = px_w / w_pt;
    ok = plot->savePng(path, w_pt, static_cast<int>(std::lround(px_h / scale)), scale, -1, size.dpi, QCP::ruDotsPerInch);
  } else {
    return unknown_format(path);
  }
  return ok ? QString() : path + ": cannot write the figure (folder missing or read-only?)";
}

QString export_widget(QWidget* widget, const QString& path, const FigureSize& size) {
  const QString suffix = suffix_of(path);
  if (suffix == "png") {
    const double scale = size.dpi / 96.0;
    QImage image(widget->size() * scale, QImage::Format_ARGB32);
    image.setDotsPerMeterX(static_cast<int>(size.dpi / 0.0254));
    image.setDotsPerMeterY(static_cast<int>(size.dpi / 0.0254));
    image.fill(Qt::white);
    QPainter p(&image);
    p.scale(scale, scale);
    widget->render(&p);
    p.end();
    return image.save(path) ? QString() : path + ": cannot write the figure";
  }
  if (suffix == "pdf") {
    QPdfWriter pdf(path);
    pdf.setPageSize(QPageSize(QSizeF(size.width_mm, size.height_mm), QPageSize::Millimeter));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    pdf.setTitle("AttnScope figure");
    QPainter p;
    if (!p.begin(&pdf)) return path + ": cannot write the figure";
    const double s = std::min(pdf.width() / double(widget->width()), pdf.height() / double(widget->height()));
    p.scale(s, s);
    widget->render(&p);
    p.end();
    return {};
  }
  if (suffix == "svg") {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(widget->size());
    svg.setViewBox(widget->rect());
    QPainter p;
    if (!p.begin(&svg)) return path + ": cannot write the figure";
    widget->render(&p);
    p.end();
    return {};
  }
  return unknown_format(path);
}

}  // namespace attnscope::widgets
