#include "widgets/figure_export.h"

#include <cmath>

#include <QFileInfo>
#include <QPdfWriter>
#include <QPainter>
#include <QSvgGenerator>
#include <QWidget>
#include <algorithm>

namespace attnscope::widgets {
namespace {
QString suffix_of(const QString& path) { return QFileInfo(path).suffix().toLower(); }

QString unknown_format(const QString& path) {
  return path + ": unknown figure format (use .pdf, .svg or .png)";
}
}  // namespace

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
    // The page takes the widget's shape at the asked width (no blank half),
    // and its images go in losslessly (JPEG turned viridis yellow pink).
    const double height_mm = size.width_mm * widget->height() / std::max(1.0, double(widget->width()));
    QPdfWriter pdf(path);
    pdf.setPageSize(QPageSize(QSizeF(size.width_mm, height_mm), QPageSize::Millimeter));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    pdf.setTitle("AttnScope figure");
    QPainter p;
    if (!p.begin(&pdf)) return path + ": cannot write the figure";
    p.setRenderHint(QPainter::LosslessImageRendering, true);
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
