#include "widgets/paper_figure_layout.h"

#include <QFontMetricsF>
#include <QImage>
#include <algorithm>
#include <cmath>

#include "widgets/token_labels.h"

namespace attnscope::widgets {
namespace {
constexpr double kMargin = 2;       // page edge to anything drawn
constexpr double kGap = 5;          // between panels, and before the colour bars
constexpr double kTick = 2;         // tick length
constexpr double kPad = 1.5;        // tick to its label
constexpr double kBarWidth = 5;
constexpr double kLabelSpacing = 1.1;  // labels at least this many line heights apart
constexpr int kLabelChars = 10;

// Metrics at 72 dpi: one unit is one point on every output.
const QPaintDevice* points_device() {
  static const QImage device = [] {
    QImage image(1, 1, QImage::Format_RGB32);
    image.setDotsPerMeterX(2835);  // 72 dpi
    image.setDotsPerMeterY(2835);
    return image;
  }();
  return &device;
}

// Greedy word wrap into at most `max_lines`; the last line is elided if more is left.
QStringList wrap(const QString& text, const QFontMetricsF& fm, double width, int max_lines) {
  QStringList lines;
  QString line;
  const QStringList words = text.split(' ', Qt::SkipEmptyParts);
  for (int k = 0; k < words.size(); ++k) {
    const QString candidate = line.isEmpty() ? words[k] : line + ' ' + words[k];
    if (fm.horizontalAdvance(candidate) <= width || line.isEmpty()) {
      line = candidate;
      continue;
    }
    if (lines.size() + 1 == max_lines) {
      line = candidate + ' ' + words.mid(k + 1).join(' ');
      break;
    }
    lines << line;
    line = words[k];
  }
  if (!line.isEmpty()) lines << line;
  for (auto& l : lines) l = fm.elidedText(l, Qt::ElideRight, width);
  return lines;
}

// 1, 2 or 5 times a power of ten, at least `x`.
int nice_step(double x) {
  if (x <= 1) return 1;
  double base = std::pow(10.0, std::floor(std::log10(x)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * base >= x - 1e-9) return static_cast<int>(std::lround(m * base));
  return static_cast<int>(std::lround(10 * base));
}

double nice_real_step(double x) {
  const double base = std::pow(10.0, std::floor(std::log10(x)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * base >= x * (1 - 1e-9)) return m * base;
  return 10 * base;
}

QString label_text(const QStringList& labels, int position) {
  return short_label(labels.value(position, QString::number(position)), kLabelChars);
}

double widest(const QFontMetricsF& fm, const QStringList& texts) {
  double w = 0;
  for (const auto& t : texts) w = std::max(w, fm.horizontalAdvance(t));
  return w;
}
}  // namespace

QString tick_text(double value) {
  if (std::abs(value) < 1e-12) return "0";
  QString text = QString::number(value, 'g', 3);
  if (text.startsWith('-')) text.replace(0, 1, QChar(0x2212));  // a true minus sign
  return text;
}

QVector<double> colour_bar_ticks(const FigureScale& scale) {
  QVector<double> ticks;
  const bool log = scale.kind == ScaleKind::Log && !scale.map.diverging();
  const double high = scale.range.high;
  if (log) {
    const double low = log_floor(scale.range);
    for (int e = static_cast<int>(std::ceil(std::log10(low) - 1e-9)); e <= std::floor(std::log10(high) + 1e-9); ++e)
      ticks << std::pow(10.0, e);
    if (ticks.size() < 2) ticks = {low, high};
    return ticks;
  }
  double low = scale.range.low;
  if (scale.map.diverging()) low = -std::max(std::abs(low), std::abs(high));
  const double top = scale.map.diverging() ? -low : high;
  if (!(top > low)) return {low};
  const double step = nice_real_step((top - low) / 4);
  for (double v = std::ceil(low / step - 1e-9) * step; v <= top + step * 1e-9; v += step)
    ticks << (std::abs(v) < step * 1e-9 ? 0.0 : v);
  if (ticks.size() < 2) ticks = {low, top};
  return ticks;
}

FigureLayout lay_out_figure(const PaperFigure& figure, QSizeF page) {
  FigureLayout lay;
  lay.page = page;
  lay.font.setPointSizeF(figure.font_pt);
  const QFontMetricsF fm(lay.font, points_device());
  const double line = fm.height();
  const int n = static_cast<int>(figure.panels.size());
  if (n == 0) {
    lay.error = "nothing to draw";
    return lay;
  }
  const FigurePanel& first = figure.panels.front();
  const int R = first.rows, C = first.cols;
  const double inner_w = page.width() - 2 * kMargin;

  lay.title_lines = figure.title.isEmpty() ? QStringList() : wrap(figure.title, fm, inner_w, 3);
  // Query labels are centred on their rows: the first and last reach half a
  // line beyond the map, which the title and the key labels must leave free.
  const double overhang = line / 2;
  const double title_h = lay.title_lines.size() * line + std::max(kPad, overhang);
  const double key_label_gap = std::max(kTick + kPad, overhang);
  // Stacked colour bars: a tick label centred on a bar's end reaches half a line past it.
  const double bar_gap = std::max(kGap, overhang + 1);

  QStringList row_texts, col_texts;
  for (int i = 0; i < R; ++i) row_texts << label_text(figure.row_labels, first.row_begin + i);
  for (int j = 0; j < C; ++j) col_texts << label_text(figure.col_labels, first.col_begin + j);
  const double y_label_w = widest(fm, row_texts) + kPad + kTick;
  const double x_label_h = widest(fm, col_texts) + key_label_gap;

  // The colour bars share one column on the right, stacked one per scale.
  double bars_w = 0, bars_h = 0;  // the column's width, and the least height its bars need
  for (const auto& scale : figure.scales) {
    QStringList texts;
    for (double v : colour_bar_ticks(scale)) texts << tick_text(v);
    bars_w = std::max({bars_w, kBarWidth + kTick + kPad + widest(fm, texts), fm.horizontalAdvance(scale.label)});
    bars_h += (scale.label.isEmpty() ? overhang : line * 1.5 + 1) + 2 * line + bar_gap;
  }
  if (bars_w > 0) bars_w += bar_gap;

  bool titled = false;
  for (const auto& p : figure.panels) titled = titled || !p.title.isEmpty();
  const double panel_title_h = titled ? line + 1 : 0;

  // As many panels a row as gives the largest cells.
  int columns = 1;
  double cell = -1;
  for (int c = 1; c <= n; ++c) {
    const int r = (n + c - 1) / c;
    const double w = page.width() - 2 * kMargin - y_label_w - bars_w - (c - 1) * kGap;
    const double h = page.height() - 2 * kMargin - title_h - r * panel_title_h - (r - 1) * kGap - x_label_h;
    const double s = std::min(w / (c * double(C)), h / (r * double(R)));
    if (s > cell) cell = s, columns = c;
  }
  const int rows_of_panels = (n + columns - 1) / columns;
  const double map_w = cell * C, map_h = cell * R;
  if (!(cell > 0) || std::max(map_w, map_h) < 12) {
    lay.error = QString("%1 at %2 pt labels leave no room for the map; make the figure larger or the font smaller")
                    .arg(n == 1 ? QString("one panel") : QString("%1 panels").arg(n))
                    .arg(figure.font_pt);
    return lay;
  }
  lay.cell = cell;
  lay.label_step = nice_step(line * kLabelSpacing / cell);

  // The block of labels, panels and bars, centred on the page.
  const double block_w = y_label_w + columns * map_w + (columns - 1) * kGap + bars_w;
  const double maps_h = rows_of_panels * (panel_title_h + map_h) + (rows_of_panels - 1) * kGap;
  // A short region (a few queries) still gets readable colour bars: they may reach below the maps.
  const double block_h = title_h + std::max(maps_h + x_label_h, panel_title_h + bars_h + overhang);
  if (block_h > page.height() - 2 * kMargin + 0.01) {
    lay.error = QString("the colour bars need %1 mm of height at %2 pt; make the figure taller or the font smaller")
                    .arg(std::ceil((block_h + 2 * kMargin) * 25.4 / 72))
                    .arg(figure.font_pt);
    return lay;
  }
  const double x0 = (page.width() - block_w) / 2, y0 = (page.height() - block_h) / 2;
  for (int k = 0; k < lay.title_lines.size(); ++k) lay.title_boxes << QRectF(kMargin, y0 + k * line, inner_w, line);

  double last_key_label = -1e9;  // right edge of the last key label in this row of panels
  for (int k = 0; k < n; ++k) {
    const int row = k / columns, col = k % columns;
    if (col == 0) last_key_label = -1e9;
    const double left = x0 + y_label_w + col * (map_w + kGap);
    const double top = y0 + title_h + row * (panel_title_h + map_h + kGap) + panel_title_h;
    const QRectF map(left, top, map_w, map_h);
    lay.maps << map;
    lay.panel_titles << fm.elidedText(figure.panels[k].title, Qt::ElideRight, map_w + kGap);
    lay.panel_title_boxes << QRectF(left - kGap / 2, top - panel_title_h, map_w + kGap, line);
    const FigurePanel& panel = figure.panels[k];
    if (col == 0) {  // query labels on the first panel of each row
      for (int i = 0; i < R; ++i) {
        if ((panel.row_begin + i) % lay.label_step) continue;
        const double y = top + (i + 0.5) * cell;
        const QString text = row_texts[i];
        const double w = fm.horizontalAdvance(text);
        lay.labels.push_back({text, QRectF(left - kTick - kPad - w, y - line / 2, w, line), false,
                              QPointF(left - kTick, y), QPointF(left, y)});
      }
    }
    if (k + columns >= n) {  // key labels under panels with none below
      for (int j = 0; j < C; ++j) {
        if ((panel.col_begin + j) % lay.label_step) continue;
        const double x = left + (j + 0.5) * cell;
        const QString text = col_texts[j];
        const double w = fm.horizontalAdvance(text);
        // Each panel thins alike: the first label of a panel must clear the last of the one before.
        if (x - line / 2 < last_key_label + 0.5) continue;
        last_key_label = x + line / 2;
        lay.labels.push_back({text, QRectF(x - line / 2, top + map_h + key_label_gap, line, w), true,
                              QPointF(x, top + map_h), QPointF(x, top + map_h + kTick)});
      }
    }
  }

  if (!figure.scales.isEmpty()) {
    const double left = x0 + y_label_w + columns * map_w + (columns - 1) * kGap + bar_gap;
    const double top = lay.maps.front().top();
    const double bottom = std::max(lay.maps.back().bottom(), top + bars_h - bar_gap);
    const int s_count = static_cast<int>(figure.scales.size());
    const double each = (bottom - top - (s_count - 1) * bar_gap) / s_count;
    for (int s = 0; s < s_count; ++s) {
      const FigureScale& scale = figure.scales[s];
      ColourBarLayout bar;
      const double seg_top = top + s * (each + bar_gap);
      const bool labelled = !scale.label.isEmpty();
      bar.label = scale.label;
      // The label above its bar, clear of the top tick's label (centred on the bar's end).
      const double label_h = labelled ? line * 1.5 + 1 : line / 2;
      if (labelled) bar.label_box = QRectF(left, seg_top, fm.horizontalAdvance(scale.label), line);
      bar.bar = QRectF(left, seg_top + label_h, kBarWidth, each - label_h);
      QRectF previous;
      for (double v : colour_bar_ticks(scale)) {
        const double t = normalise(v, scale.range, scale.kind, scale.map.diverging());
        const double y = bar.bar.bottom() - std::clamp(t, 0.0, 1.0) * bar.bar.height();
        const QString text = tick_text(v);
        const QRectF box(bar.bar.right() + kTick + kPad, y - line / 2, fm.horizontalAdvance(text), line);
        if (!previous.isNull() && box.intersects(previous)) continue;  // a short bar keeps fewer ticks
        bar.ticks.append({v, box});
        previous = box;
      }
      lay.bars << bar;
    }
  }
  return lay;
}

}  // namespace attnscope::widgets
