#include "widgets/paper_figure.h"

#include <QFileInfo>
#include <QImage>
#include <QPageLayout>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgGenerator>
#include <algorithm>
#include <cmath>

#include "widgets/paper_figure_layout.h"

namespace attnscope::widgets {
namespace {
constexpr double kPointsPerMm = 72.0 / 25.4;
constexpr int kMaxImageSide = 8192;  // pixels a map image may have a side
constexpr double kImageDpi = 600;    // cells are upscaled to at least this, so no viewer blurs them

// Nearest-neighbour upscale to a whole number of pixels per cell: a PDF
// viewer or printer that interpolates cannot blend neighbouring cells.
QImage crisp_map(const FigurePanel& panel, const FigureScale& scale, bool causal, double cell_pt) {
  const MatrixView view{panel.values.data(), panel.rows, panel.cols, causal, panel.row_begin, panel.col_begin};
  const QImage image = render_matrix(view, scale.map, scale.range, scale.kind);
  const int most = std::max(1, kMaxImageSide / std::max(panel.rows, panel.cols));
  const int k = std::clamp(static_cast<int>(std::ceil(cell_pt * kImageDpi / 72)), 1, std::min(16, most));
  return crisp_upscale(image, k);
}

QImage colour_bar_image(const ColourMap& map) {
  QImage image(1, 256, QImage::Format_RGB32);
  for (int y = 0; y < 256; ++y) image.setPixel(0, y, map.rgb(1.0 - y / 255.0));
  return image.scaled(8, 256 * 4, Qt::IgnoreAspectRatio, Qt::FastTransformation);
}

void paint(QPainter& p, const PaperFigure& figure, const FigureLayout& lay) {
  p.setRenderHint(QPainter::Antialiasing, true);
  p.setRenderHint(QPainter::TextAntialiasing, true);
  p.setRenderHint(QPainter::SmoothPixmapTransform, false);
  p.setRenderHint(QPainter::LosslessImageRendering, true);  // Flate, not JPEG, in PDF: exact colours
  p.setFont(lay.font);
  const QPen text_pen(Qt::black);
  const QPen line_pen(QColor(60, 60, 60), 0.4);
  p.setPen(text_pen);
  for (int k = 0; k < lay.title_lines.size(); ++k) p.drawText(lay.title_boxes[k], Qt::AlignCenter, lay.title_lines[k]);

  for (int k = 0; k < lay.maps.size(); ++k) {
    const FigurePanel& panel = figure.panels[k];
    const FigureScale& scale = figure.scales.value(panel.scale);
    const QImage image = crisp_map(panel, scale, figure.causal, lay.cell);
    p.drawImage(lay.maps[k], image, QRectF(image.rect()));
    p.setPen(line_pen);
    p.setBrush(Qt::NoBrush);
    p.drawRect(lay.maps[k]);
    if (figure.marks) {
      p.setPen(QPen(QColor(255, 80, 40), std::max(0.3, lay.cell * 0.08)));
      const double radius = std::max(0.6, lay.cell * 0.35);
      for (const QPoint& c : panel.marks)
        p.drawEllipse(QPointF(lay.maps[k].left() + (c.x() + 0.5) * lay.cell, lay.maps[k].top() + (c.y() + 0.5) * lay.cell),
                      radius, radius);
    }
    p.setPen(text_pen);
    p.drawText(lay.panel_title_boxes[k], Qt::AlignCenter, lay.panel_titles[k]);
  }

  for (const AxisLabel& label : lay.labels) {
    p.setPen(line_pen);
    p.drawLine(label.tick_from, label.tick_to);
    p.setPen(text_pen);
    if (!label.rotated) {
      p.drawText(label.box, Qt::AlignRight | Qt::AlignVCenter, label.text);
      continue;
    }
    // Read bottom to top, ending at the axis.
    p.save();
    p.translate(label.box.center().x(), label.box.top());
    p.rotate(-90);
    p.drawText(QRectF(-label.box.height(), -label.box.width() / 2, label.box.height(), label.box.width()),
               Qt::AlignRight | Qt::AlignVCenter, label.text);
    p.restore();
  }

  for (int s = 0; s < lay.bars.size(); ++s) {
    const ColourBarLayout& bar = lay.bars[s];
    const FigureScale& scale = figure.scales[s];
    p.drawImage(bar.bar, colour_bar_image(scale.map), QRectF(0, 0, 8, 1024));
    p.setPen(line_pen);
    p.drawRect(bar.bar);
    for (const auto& [value, box] : bar.ticks) {
      const double y = box.center().y();
      p.setPen(line_pen);
      p.drawLine(QPointF(bar.bar.right(), y), QPointF(bar.bar.right() + 2, y));
      p.setPen(text_pen);
      p.drawText(box, Qt::AlignLeft | Qt::AlignVCenter, tick_text(value));
    }
    if (!bar.label.isEmpty()) p.drawText(bar.label_box, Qt::AlignLeft | Qt::AlignVCenter, bar.label);
  }
}
}  // namespace

QString write_paper_figure(const PaperFigure& figure, const QString& path, const FigureSize& size) {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix != "pdf" && suffix != "svg" && suffix != "png")
    return path + ": unknown figure format (use .pdf, .svg or .png)";
  const QSizeF page(size.width_mm * kPointsPerMm, size.height_mm * kPointsPerMm);
  const FigureLayout lay = lay_out_figure(figure, page);
  if (!lay.error.isEmpty())
    return path + QString(": at %1 x %2 mm, %3").arg(size.width_mm).arg(size.height_mm).arg(lay.error);
  const QString failed = path + ": cannot write the figure (folder missing or read-only?)";
  QPainter painter;
  if (suffix == "pdf") {
    QPdfWriter pdf(path);
    pdf.setResolution(72);  // one device unit per point
    pdf.setTitle("AttnScope figure");
    pdf.setCreator("AttnScope");
    pdf.setPageLayout(QPageLayout(QPageSize(page, QPageSize::Point), QPageLayout::Portrait, QMarginsF(0, 0, 0, 0),
                                  QPageLayout::Point));
    if (!painter.begin(&pdf)) return failed;
    paint(painter, figure, lay);
    return painter.end() ? QString() : failed;
  }
  if (suffix == "svg") {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setResolution(72);
    svg.setSize(QSize(static_cast<int>(std::ceil(page.width())), static_cast<int>(std::ceil(page.height()))));
    svg.setViewBox(QRectF(QPointF(0, 0), page));
    svg.setTitle("AttnScope figure");
    if (!painter.begin(&svg)) return failed;
    paint(painter, figure, lay);
    return painter.end() ? QString() : failed;
  }
  const int px_w = static_cast<int>(std::lround(size.width_mm / 25.4 * size.dpi));
  const int px_h = static_cast<int>(std::lround(size.height_mm / 25.4 * size.dpi));
  QImage image(px_w, px_h, QImage::Format_RGB32);
  if (image.isNull()) return path + ": the figure is too large for one image at this resolution";
  image.fill(Qt::white);
  image.setDotsPerMeterX(2835);  // laid out at 72 dpi (points), drawn scaled to the resolution
  image.setDotsPerMeterY(2835);
  if (!painter.begin(&image)) return failed;
  painter.scale(px_w / page.width(), px_h / page.height());
  paint(painter, figure, lay);
  painter.end();
  image.setDotsPerMeterX(static_cast<int>(std::lround(size.dpi / 0.0254)));
  image.setDotsPerMeterY(static_cast<int>(std::lround(size.dpi / 0.0254)));
  return image.save(path) ? QString() : failed;
}

}  // namespace attnscope::widgets
