#include "widgets/matrix_layer.h"

#include "widgets/matrix_image.h"

namespace attnscope::widgets {

MatrixLayer::MatrixLayer(QCPAxis* key_axis, QCPAxis* value_axis)
    : QCPLayerable(key_axis->parentPlot(), QString(), key_axis->axisRect()),
      key_axis_(key_axis),
      value_axis_(value_axis) {}

void MatrixLayer::set_image(const QImage& image) { set_image(image, 0, image.height(), 0, image.width()); }

void MatrixLayer::set_image(const QImage& image, int row_begin, int row_end, int col_begin, int col_end) {
  image_ = image;
  cells_ = QRectF(QPointF(col_begin - 0.5, row_begin - 0.5), QPointF(col_end - 0.5, row_end - 0.5));
  vector_image_ = QImage();
}

void MatrixLayer::applyDefaultAntialiasingHint(QCPPainter* painter) const { painter->setAntialiasing(false); }

QRect MatrixLayer::clipRect() const {
  return key_axis_ ? key_axis_->axisRect()->rect() : QCPLayerable::clipRect();
}

void MatrixLayer::draw(QCPPainter* painter) {
  if (image_.isNull() || !key_axis_ || !value_axis_) return;
  const QPointF a(key_axis_->coordToPixel(cells_.left()), value_axis_->coordToPixel(cells_.top()));
  const QPointF b(key_axis_->coordToPixel(cells_.right()), value_axis_->coordToPixel(cells_.bottom()));
  const QRectF target = QRectF(a, b).normalized();
  painter->save();
  painter->setRenderHint(QPainter::SmoothPixmapTransform, false);
  if (painter->modes().testFlag(QCPPainter::pmVectorized)) {
    if (vector_image_.isNull()) {
      // At least 8 pixels per cell, at most ~4096 pixels a side.
      const int per_cell = std::max(1, std::min(8, 4096 / std::max(1, image_.width())));
      vector_image_ = crisp_upscale(image_, per_cell);
    }
    painter->drawImage(target, vector_image_);
  } else {
    painter->drawImage(target, image_);
  }
  painter->restore();
}

}  // namespace attnscope::widgets
