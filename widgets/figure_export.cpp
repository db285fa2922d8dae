#include "widgets/figure_export.h"

#include <cmath>
#include <memory>
#include <qcustomplot.h>

#include <QBuffer>
#include <QFileInfo>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <QSvgRenderer>

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

namespace {
// Draws `plots` side by side over w_pt x h_pt points of an open painter.
void paint_side_by_side(QCPPainter& painter, const QList<QCustomPlot*>& plots, int w_pt, int h_pt) {
  const int each = w_pt / static_cast<int>(plots.size());
  for (int i = 0; i < plots.size(); ++i) {
    painter.save();
    painter.translate(i * each, 0);
    plots[i]->toPainter(&painter, each, h_pt);
    painter.restore();
  }
}
}  // namespace

QString export_plots(const QList<QCustomPlot*>& plots, const QString& path, const FigureSize& size) {
  if (plots.isEmpty()) return path + ": nothing to export";
  if (plots.size() == 1) return export_plot(plots.front(), path, size);
  const QString suffix = suffix_of(path);
  const int w_pt = static_cast<int>(std::lround(size.width_mm * kPointsPerMm));
  const int h_pt = static_cast<int>(std::lround(size.height_mm * kPointsPerMm));
  const QString failed = path + ": cannot write the figure (folder missing or read-only?)";
  QCPPainter painter;
  if (suffix == "pdf" || suffix == "svg") {
    std::unique_ptr<QPaintDevice> device;
    if (suffix == "pdf") {
      auto pdf = std::make_unique<QPdfWriter>(path);
      pdf->setResolution(72);  // one device unit per point: fonts in points keep their size
      pdf->setTitle("AttnScope figure");
      pdf->setCreator("AttnScope");
      pdf->setPageLayout(QPageLayout(QPageSize(QSizeF(w_pt, h_pt), QPageSize::Point), QPageLayout::Portrait,
                                     QMarginsF(0, 0, 0, 0), QPageLayout::Point));
      device = std::move(pdf);
    } else {
      auto svg = std::make_unique<QSvgGenerator>();
      svg->setFileName(path);
      svg->setSize(QSize(w_pt, h_pt));
      svg->setViewBox(QRect(0, 0, w_pt, h_pt));
      svg->setTitle("AttnScope figure");
      device = std::move(svg);
    }
    if (!painter.begin(device.get())) return failed;
    painter.setMode(QCPPainter::pmVectorized);
    painter.setMode(QCPPainter::pmNoCaching);
    paint_side_by_side(painter, plots, w_pt, h_pt);
    return painter.end() ? QString() : failed;
  }
  if (suffix == "png") {
    // Through the vector drawing (an SVG in memory), rasterised at the DPI:
    // the layout is the PDF's, and every size is exactly as asked.
    QBuffer buffer;
    QSvgGenerator svg;
    svg.setOutputDevice(&buffer);
    svg.setSize(QSize(w_pt, h_pt));
    svg.setViewBox(QRect(0, 0, w_pt, h_pt));
    if (!painter.begin(&svg)) return failed;
    painter.setMode(QCPPainter::pmVectorized);
    painter.setMode(QCPPainter::pmNoCaching);
    paint_side_by_side(painter, plots, w_pt, h_pt);
    painter.end();
    const int px_w = static_cast<int>(std::lround(size.width_mm / 25.4 * size.dpi));
    const int px_h = static_cast<int>(std::lround(size.height_mm / 25.4 * size.dpi));
    QImage image(px_w, px_h, QImage::Format_ARGB32);
    image.setDotsPerMeterX(static_cast<int>(std::lround(size.dpi / 0.0254)));
    image.setDotsPerMeterY(static_cast<int>(std::lround(size.dpi / 0.0254)));
    image.fill(Qt::white);
    QSvgRenderer renderer(buffer.data());
    QPainter raster(&image);
    renderer.render(&raster, QRectF(0, 0, px_w, px_h));
    raster.end();
    return image.save(path) ? QString() : failed;
  }
  return unknown_format(path);
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
