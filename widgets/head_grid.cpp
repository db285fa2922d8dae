#include "widgets/head_grid.h"

#include <QFontMetrics>
#include <QHelpEvent>
#include <QLinearGradient>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "widgets/colour_map.h"

namespace attnscope::widgets {
namespace {
constexpr int kHeaderWidth = 64;
constexpr int kHeaderHeight = 18;
constexpr int kGap = 3;
constexpr int kLegendHeight = 54;  // a caption of up to two lines over the ramp
}  // namespace

HeadGrid::HeadGrid(QWidget* parent) : QWidget(parent) {
  setFocusPolicy(Qt::StrongFocus);
  setMinimumSize(160, 80);
  setObjectName("head_grid");
}

void HeadGrid::set_rows(const QVector<GridRow>& rows) {
  rows_ = rows;
  current_ = rows_.isEmpty() || rows_[0].heads.isEmpty() ? QPoint(-1, -1) : QPoint(0, 0);
  updateGeometry();
  update();
}

void HeadGrid::set_thumbnail(int row, int head, const QImage& image) {
  if (row < 0 || row >= rows_.size() || head < 0 || head >= rows_[row].heads.size()) return;
  rows_[row].heads[head].thumbnail = image;
  update(cell_rect(row, head));
}

void HeadGrid::set_score(int row, int head, double score) {
  if (row < 0 || row >= rows_.size() || head < 0 || head >= rows_[row].heads.size()) return;
  rows_[row].heads[head].score = score;
  update(cell_rect(row, head).adjusted(-2, -2, 2, 2));
}

void HeadGrid::set_ablated(int row, int head, bool ablated) {
  if (row < 0 || row >= rows_.size() || head < 0 || head >= rows_[row].heads.size()) return;
  rows_[row].heads[head].ablated = ablated;
  update();
}

bool HeadGrid::is_ablated(int row, int head) const {
  if (row < 0 || row >= rows_.size() || head < 0 || head >= rows_[row].heads.size()) return false;
  return rows_[row].heads[head].ablated;
}

void HeadGrid::set_values(const QVector<QVector<double>>& values, const ValueScale& scale) {
  values_ = values;
  scale_ = scale;
  showing_values_ = !values_.isEmpty();
  updateGeometry();
  update();
}

void HeadGrid::show_values(bool on) {
  showing_values_ = on && !values_.isEmpty();
  updateGeometry();
  update();
}

double HeadGrid::value(int row, int head) const {
  if (row < 0 || row >= values_.size() || head < 0 || head >= values_[row].size()) return qQNaN();
  return values_[row][head];
}

QColor HeadGrid::value_colour(double v) const {
  if (std::isnan(v)) return QColor(230, 230, 230);
  const double span = scale_.extreme - scale_.zero;
  const double t = span != 0 ? std::clamp((v - scale_.zero) / span, 0.0, 1.0) : 0.0;
  const QColor& f = scale_.full;
  return QColor::fromRgbF(1 + (f.redF() - 1) * t, 1 + (f.greenF() - 1) * t, 1 + (f.blueF() - 1) * t);
}

int HeadGrid::head_count(int row) const { return row >= 0 && row < rows_.size() ? rows_[row].heads.size() : 0; }

int HeadGrid::max_heads() const {
  int m = 0;
  for (const auto& l : rows_) m = std::max(m, static_cast<int>(l.heads.size()));
  return m;
}

int HeadGrid::cell_size() const {
  const int cols = std::max(1, max_heads()), rows = std::max(1, static_cast<int>(rows_.size()));
  const int by_width = (width() - kHeaderWidth) / cols - kGap;
  const int by_height = (height() - kHeaderHeight - kLegendHeight) / rows - kGap;
  return std::clamp(std::min(by_width, by_height), 8, 96);
}

QRect HeadGrid::cell_rect(int row, int head) const {
  const int s = cell_size();
  return QRect(kHeaderWidth + head * (s + kGap), kHeaderHeight + row * (s + kGap), s, s);
}

QPoint HeadGrid::cell_centre(int row, int head) const { return cell_rect(row, head).center(); }

QPoint HeadGrid::cell_at(const QPoint& pos) const {
  for (int l = 0; l < rows_.size(); ++l)
    for (int h = 0; h < rows_[l].heads.size(); ++h)
      if (cell_rect(l, h).adjusted(-1, -1, 1, 1).contains(pos)) return {h, l};
  return {-1, -1};
}

QSize HeadGrid::sizeHint() const {
  return QSize(kHeaderWidth + std::max(1, max_heads()) * 40,
               kHeaderHeight + std::max(1, static_cast<int>(rows_.size())) * 40 + kLegendHeight);
}

void HeadGrid::set_current(int row, int head) {
  if (row < 0 || row >= rows_.size() || head < 0 || head >= rows_[row].heads.size()) return;
  current_ = {head, row};
  update();
  emit current_changed(row, head);
}

void HeadGrid::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().base());
  p.setPen(palette().text().color());
  QFont small = font();
  small.setPointSizeF(std::max(6.0, small.pointSizeF() - 1));
  p.setFont(small);
  for (int h = 0; h < max_heads(); ++h) {
    const QRect r = cell_rect(0, h);
    p.drawText(QRect(r.left(), 0, r.width(), kHeaderHeight), Qt::AlignCenter, QString::number(h));
  }
  for (int l = 0; l < rows_.size(); ++l) {
    const auto& row = rows_[l];
    const QRect first = cell_rect(l, 0);
    // Row header: layer and mixer, and a coloured badge telling attention from SSM.
    const QRect badge(4, first.top(), 14, first.height());
    p.fillRect(badge, row.ssm ? QColor(46, 139, 87) : QColor(70, 110, 200));
    p.setPen(palette().text().color());
    p.drawText(QRect(20, first.top(), kHeaderWidth - 22, first.height()), Qt::AlignVCenter | Qt::AlignLeft,
               row.label.isEmpty() ? QString("L%1 %2").arg(l).arg(row.ssm ? "S" : "A") : row.label);
    for (int h = 0; h < row.heads.size(); ++h) {
      const auto& cell = row.heads[h];
      const QRect r = cell_rect(l, h);
      if (showing_values_) {
        const double v = value(l, h);
        const QColor fill = value_colour(v);
        p.fillRect(r, fill);
        if (!std::isnan(v) && r.width() >= 22) {
          p.setPen(fill.lightnessF() < 0.5 ? Qt::white : Qt::black);
          // Two decimals (log p and KL in nats): differences below 0.005 read as none, never "-0.00".
          const double shown = std::abs(v) < 0.005 ? 0.0 : v;
          p.drawText(r, Qt::AlignCenter, QString::number(shown, 'f', r.width() >= 34 ? 2 : 1));
        }
      } else if (!cell.thumbnail.isNull()) {
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);
        p.drawImage(r, cell.thumbnail);
      } else {
        p.fillRect(r, QColor(220, 220, 220));
      }
      if (!std::isnan(cell.score) && !showing_values_) {
        p.setPen(QPen(outline_colour(cell.score), 3));
        p.drawRect(r.adjusted(-1, -1, 1, 1));
      }
      if (cell.ablated) {  // a red cross: this head is knocked out
        p.setPen(QPen(QColor(230, 30, 30), 2));
        p.drawLine(r.topLeft(), r.bottomRight());
        p.drawLine(r.topRight(), r.bottomLeft());
      }
    }
  }
  if (current_.y() >= 0) {
    p.setPen(QPen(hasFocus() ? palette().highlight().color() : Qt::gray, 2, Qt::DashLine));
    p.drawRect(cell_rect(current_.y(), current_.x()).adjusted(-3, -3, 3, 3));
  }
  if (!rows_.isEmpty()) paint_legend(p);
}

QColor HeadGrid::outline_colour(double score) {
  // The warm half of the diverging map: near-white (smooth) to dark red (sharp).
  static const ColourMap warm(ColourMapKind::Diverging);
  return QColor(warm.rgb(0.5 + 0.5 * std::clamp(score, 0.0, 1.0)));
}

QRect HeadGrid::legend_rect() const {
  const int bottom = rows_.isEmpty() ? kHeaderHeight : cell_rect(rows_.size() - 1, 0).bottom();
  return QRect(4, bottom + 8, std::max(120, width() - 8), kLegendHeight - 8);
}

// Caption above a ramp with both ends labelled: for values, white (zero) to
// full colour (the extreme); for maps, the outline's sharpness scale.
void HeadGrid::paint_legend(QPainter& p) const {
  const QRect area = legend_rect();
  const QFontMetrics fm(p.font());
  p.setPen(palette().text().color());
  const QString caption = showing_values_ ? scale_.caption : tr("Outline: transition sharpness (hover a head for its metrics)");
  p.drawText(QRect(area.left(), area.top(), area.width(), 2 * fm.height()), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
             caption);
  const QString low = showing_values_ ? QString::number(scale_.zero, 'g', 3) : tr("smooth 0");
  const QString high = showing_values_ ? QString::number(scale_.extreme, 'g', 3) : tr("1 sharp");
  const int label_w = std::max(fm.horizontalAdvance(low), fm.horizontalAdvance(high)) + 6;
  const QRect ramp(area.left() + label_w, area.top() + 2 * fm.height() + 2, std::max(20, area.width() - 2 * label_w), 10);
  QLinearGradient gradient(ramp.topLeft(), ramp.topRight());
  if (showing_values_) {
    gradient.setColorAt(0, value_colour(scale_.zero));
    gradient.setColorAt(1, value_colour(scale_.extreme));
  } else {
    for (double t : {0.0, 0.25, 0.5, 0.75, 1.0}) gradient.setColorAt(t, outline_colour(t));
  }
  p.fillRect(ramp, gradient);
  p.setPen(Qt::gray);
  p.drawRect(ramp);
  p.setPen(palette().text().color());
  p.drawText(QRect(area.left(), ramp.top() - 3, label_w - 4, ramp.height() + 6), Qt::AlignRight | Qt::AlignVCenter, low);
  p.drawText(QRect(ramp.right() + 4, ramp.top() - 3, label_w, ramp.height() + 6), Qt::AlignLeft | Qt::AlignVCenter, high);
}

void HeadGrid::mousePressEvent(QMouseEvent* event) {
  const QPoint cell = cell_at(event->pos());
  if (cell.x() < 0) return;
  set_current(cell.y(), cell.x());
  if (event->button() == Qt::RightButton) emit ablation_toggled(cell.y(), cell.x());
  else if (event->button() == Qt::LeftButton) emit head_opened(cell.y(), cell.x());
}

bool HeadGrid::event(QEvent* event) {
  if (event->type() != QEvent::ToolTip) return QWidget::event(event);
  const auto* help = static_cast<QHelpEvent*>(event);
  const QPoint cell = cell_at(help->pos());
  if (showing_values_ && cell.x() >= 0) {
    const double v = value(cell.y(), cell.x());
    const QString label = rows_[cell.y()].label.isEmpty() ? QString::number(cell.y()) : rows_[cell.y()].label;
    QToolTip::showText(help->globalPos(),
                       QString("%1 head %2: %3 %4\n%5")
                           .arg(label)
                           .arg(cell.x())
                           .arg(std::isnan(v) ? QString("—") : QString::number(v, 'g', 4))
                           .arg(scale_.unit)
                           .arg(scale_.caption),
                       this);
    return true;
  }
  if (cell.x() >= 0 && !rows_[cell.y()].heads[cell.x()].details.isEmpty()) {
    const QString label = rows_[cell.y()].label.isEmpty() ? QString::number(cell.y()) : rows_[cell.y()].label;
    QToolTip::showText(help->globalPos(),
                       QString("%1 head %2\n%3").arg(label).arg(cell.x()).arg(rows_[cell.y()].heads[cell.x()].details), this);
    return true;
  }
  const int s = cell_size();
  const int row = help->pos().x() < kHeaderWidth ? (help->pos().y() - kHeaderHeight) / (s + kGap) : -1;
  if (row >= 0 && row < rows_.size() && !rows_[row].kind.isEmpty())
    QToolTip::showText(help->globalPos(), rows_[row].kind, this);
  else
    QToolTip::hideText();
  return true;
}

void HeadGrid::keyPressEvent(QKeyEvent* event) {
  if (current_.y() < 0) return QWidget::keyPressEvent(event);
  int row = current_.y(), head = current_.x();
  switch (event->key()) {
    case Qt::Key_Left: head = std::max(0, head - 1); break;
    case Qt::Key_Right: head = std::min(head_count(row) - 1, head + 1); break;
    case Qt::Key_Up: row = std::max(0, row - 1); break;
    case Qt::Key_Down: row = std::min(static_cast<int>(rows_.size()) - 1, row + 1); break;
    case Qt::Key_Space: emit ablation_toggled(row, head); return;
    case Qt::Key_Return:
    case Qt::Key_Enter: emit head_opened(row, head); return;
    default: return QWidget::keyPressEvent(event);
  }
  head = std::min(head, head_count(row) - 1);
  set_current(row, head);
  emit head_opened(row, head);
}

}  // namespace attnscope::widgets
