#include "widgets/head_grid.h"

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <cmath>

#include "widgets/colour_map.h"

namespace attnscope::widgets {
namespace {
constexpr int kHeaderWidth = 64;
constexpr int kHeaderHeight = 18;
constexpr int kGap = 3;
}  // namespace

HeadGrid::HeadGrid(QWidget* parent) : QWidget(parent) {
  setFocusPolicy(Qt::StrongFocus);
  setMinimumSize(160, 80);
  setObjectName("head_grid");
}

void HeadGrid::set_layers(const QVector<LayerRow>& layers) {
  layers_ = layers;
  current_ = layers_.isEmpty() || layers_[0].heads.isEmpty() ? QPoint(-1, -1) : QPoint(0, 0);
  updateGeometry();
  update();
}

void HeadGrid::set_thumbnail(int layer, int head, const QImage& image) {
  if (layer < 0 || layer >= layers_.size() || head < 0 || head >= layers_[layer].heads.size()) return;
  layers_[layer].heads[head].thumbnail = image;
  update(cell_rect(layer, head));
}

void HeadGrid::set_score(int layer, int head, double score) {
  if (layer < 0 || layer >= layers_.size() || head < 0 || head >= layers_[layer].heads.size()) return;
  layers_[layer].heads[head].score = score;
  update(cell_rect(layer, head).adjusted(-2, -2, 2, 2));
}

void HeadGrid::set_ablated(int layer, int head, bool ablated) {
  if (layer < 0 || layer >= layers_.size() || head < 0 || head >= layers_[layer].heads.size()) return;
  layers_[layer].heads[head].ablated = ablated;
  update();
}

bool HeadGrid::is_ablated(int layer, int head) const {
  if (layer < 0 || layer >= layers_.size() || head < 0 || head >= layers_[layer].heads.size()) return false;
  return layers_[layer].heads[head].ablated;
}

int HeadGrid::head_count(int layer) const { return layer >= 0 && layer < layers_.size() ? layers_[layer].heads.size() : 0; }

int HeadGrid::max_heads() const {
  int m = 0;
  for (const auto& l : layers_) m = std::max(m, static_cast<int>(l.heads.size()));
  return m;
}

int HeadGrid::cell_size() const {
  const int cols = std::max(1, max_heads()), rows = std::max(1, static_cast<int>(layers_.size()));
  const int by_width = (width() - kHeaderWidth) / cols - kGap;
  const int by_height = (height() - kHeaderHeight) / rows - kGap;
  return std::clamp(std::min(by_width, by_height), 8, 96);
}

QRect HeadGrid::cell_rect(int layer, int head) const {
  const int s = cell_size();
  return QRect(kHeaderWidth + head * (s + kGap), kHeaderHeight + layer * (s + kGap), s, s);
}

QPoint HeadGrid::cell_centre(int layer, int head) const { return cell_rect(layer, head).center(); }

QPoint HeadGrid::cell_at(const QPoint& pos) const {
  for (int l = 0; l < layers_.size(); ++l)
    for (int h = 0; h < layers_[l].heads.size(); ++h)
      if (cell_rect(l, h).adjusted(-1, -1, 1, 1).contains(pos)) return {h, l};
  return {-1, -1};
}

QSize HeadGrid::sizeHint() const {
  return QSize(kHeaderWidth + std::max(1, max_heads()) * 40, kHeaderHeight + std::max(1, static_cast<int>(layers_.size())) * 40);
}

void HeadGrid::set_current(int layer, int head) {
  if (layer < 0 || layer >= layers_.size() || head < 0 || head >= layers_[layer].heads.size()) return;
  current_ = {head, layer};
  update();
  emit current_changed(layer, head);
}

void HeadGrid::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().base());
  const ColourMap score_map(ColourMapKind::Magma);
  p.setPen(palette().text().color());
  QFont small = font();
  small.setPointSizeF(std::max(6.0, small.pointSizeF() - 1));
  p.setFont(small);
  for (int h = 0; h < max_heads(); ++h) {
    const QRect r = cell_rect(0, h);
    p.drawText(QRect(r.left(), 0, r.width(), kHeaderHeight), Qt::AlignCenter, QString::number(h));
  }
  for (int l = 0; l < layers_.size(); ++l) {
    const auto& row = layers_[l];
    const QRect first = cell_rect(l, 0);
    // Layer header: index and a coloured badge telling attention from SSM.
    const QRect badge(4, first.top(), 14, first.height());
    p.fillRect(badge, row.ssm ? QColor(46, 139, 87) : QColor(70, 110, 200));
    p.setPen(palette().text().color());
    p.drawText(QRect(20, first.top(), kHeaderWidth - 22, first.height()), Qt::AlignVCenter | Qt::AlignLeft,
               QString("L%1 %2").arg(l).arg(row.ssm ? "S" : "A"));
    for (int h = 0; h < row.heads.size(); ++h) {
      const auto& cell = row.heads[h];
      const QRect r = cell_rect(l, h);
      if (!cell.thumbnail.isNull()) {
        p.setRenderHint(QPainter::SmoothPixmapTransform, false);
        p.drawImage(r, cell.thumbnail);
      } else {
        p.fillRect(r, QColor(220, 220, 220));
      }
      if (!std::isnan(cell.score)) {
        p.setPen(QPen(QColor(score_map.rgb(0.15 + 0.8 * cell.score)), 3));
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
}

void HeadGrid::mousePressEvent(QMouseEvent* event) {
  const QPoint cell = cell_at(event->pos());
  if (cell.x() < 0) return;
  set_current(cell.y(), cell.x());
  if (event->button() == Qt::RightButton) emit ablation_toggled(cell.y(), cell.x());
  else if (event->button() == Qt::LeftButton) emit head_opened(cell.y(), cell.x());
}

void HeadGrid::keyPressEvent(QKeyEvent* event) {
  if (current_.y() < 0) return QWidget::keyPressEvent(event);
  int layer = current_.y(), head = current_.x();
  switch (event->key()) {
    case Qt::Key_Left: head = std::max(0, head - 1); break;
    case Qt::Key_Right: head = std::min(head_count(layer) - 1, head + 1); break;
    case Qt::Key_Up: layer = std::max(0, layer - 1); break;
    case Qt::Key_Down: layer = std::min(static_cast<int>(layers_.size()) - 1, layer + 1); break;
    case Qt::Key_Space: emit ablation_toggled(layer, head); return;
    case Qt::Key_Return:
    case Qt::Key_Enter: emit head_opened(layer, head); return;
    default: return QWidget::keyPressEvent(event);
  }
  head = std::min(head, head_count(layer) - 1);
  set_current(layer, head);
  emit head_opened(layer, head);
}

}  // namespace attnscope::widgets
