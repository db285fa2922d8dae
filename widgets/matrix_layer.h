#pragma once
// A QCustomPlot layerable that draws a matrix image into axis coordinates,
// cell (i, j) centred at (x = j, y = i), never smoothed. For vector output
// (PDF, SVG) the image is upscaled first so each cell stays a crisp square
// however the viewer resamples it.
#include <qcustomplot.h>

namespace attnscope::widgets {

class MatrixLayer : public QCPLayerable {
  Q_OBJECT
 public:
  MatrixLayer(QCPAxis* key_axis, QCPAxis* value_axis);
  void set_image(const QImage& image);  // cols x rows, one pixel per cell
  // An image of the cells [row_begin, row_end) x [col_begin, col_end), each
  // pixel covering a block of them (a long map drawn at screen resolution).
  void set_image(const QImage& image, int row_begin, int row_end, int col_begin, int col_end);
  const QImage& image() const { return image_; }
  QRectF cells() const { return cells_; }  // x: keys, y: queries, in cell coordinates

 protected:
  void applyDefaultAntialiasingHint(QCPPainter* painter) const override;
  void draw(QCPPainter* painter) override;
  QRect clipRect() const override;

 private:
  QPointer<QCPAxis> key_axis_, value_axis_;
  QImage image_;
  QRectF cells_;  // the cells the image spans, edges at half-integers
  QImage vector_image_;  // upscaled copy for vector painters, made on demand
};

}  // namespace attnscope::widgets
