#pragma once
// Perceptual colour maps built from stops (QCustomPlot 2.1 on Debian has no
// viridis preset), as 256-entry lookup tables for fast image filling.
#include <QColor>
#include <QString>
#include <QVector>
#include <array>

class QCPColorGradient;

namespace attnscope::widgets {

enum class ColourMapKind { Viridis, Magma, Greys, Diverging };

class ColourMap {
 public:
  explicit ColourMap(ColourMapKind kind = ColourMapKind::Viridis);
  ColourMapKind kind() const { return kind_; }
  QString name() const;
  bool diverging() const { return kind_ == ColourMapKind::Diverging; }
  // t in [0, 1] (clamped); NaN gives the "no data" colour.
  QRgb rgb(double t) const;
  QRgb nan_rgb() const { return nan_; }
  QCPColorGradient gradient() const;  // the same stops for QCustomPlot's colour scale
  static QVector<ColourMapKind> all();
  static ColourMapKind from_name(const QString& name);  // unknown -> Viridis

 private:
  ColourMapKind kind_;
  std::array<QRgb, 257> lut_{};  // odd size: t = 0.5 falls on an entry (white of the diverging map)
  QRgb nan_;
  QVector<QPair<double, QColor>> stops_;
};

}  // namespace attnscope::widgets
