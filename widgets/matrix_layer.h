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
  const QImage& image() const { return image_; }

 protected:
  void applyDefaultAntialiasingHint(QCPPainter* painter) const override;
  void draw(QCPPainter* painter) override;
  QRect clipRect() const override;

 private:
  QPointer<QCPAxis> key_axis_, value_axis_;
  QImage image_;
  QImage vector_image_;  // upscaled copy for vector painters, made on demand
};

}  // namespace attnscope::widgets
