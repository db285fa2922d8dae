#include "widgets/colour_map.h"

#include <qcustomplot.h>

#include <cmath>

namespace attnscope::widgets {
namespace {
// Stops sampled from the published perceptual maps (viridis, magma) at
// evenly spaced points; linear interpolation between them is visually exact.
QVector<QPair<double, QColor>> stops_for(ColourMapKind kind) {
  auto even = [](std::initializer_list<const char*> hex) {
    QVector<QPair<double, QColor>> s;
    const int n = static_cast<int>(hex.size());
    int i = 0;
    for (const char* h : hex) s.append({double(i++) / (n - 1), QColor(h)});
    return s;
  };
  switch (kind) {
    case ColourMapKind::Viridis:
      return even({"#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58",
                   "#b5de2b", "#fde725"});
    case ColourMapKind::Magma:
      return even({"#000004", "#180f3d", "#440f76", "#721f81", "#9e2f7f", "#cd4071", "#f1605d", "#fd9668",
                   "#feca8d", "#fcfdbf"});
    case ColourMapKind::Greys:
      return even({"#ffffff", "#000000"});
    case ColourMapKind::Diverging:  // blue - white - red, for differences (centred at 0.5)
      return even({"#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d",
                   "#b2182b"});
  }
  return {};
}
}  // namespace

ColourMap::ColourMap(ColourMapKind kind) : kind_(kind), nan_(qRgb(235, 235, 235)), stops_(stops_for(kind)) {
  for (int i = 0; i < 257; ++i) {
    const double t = i / 256.0;
    int k = 0;
    while (k + 2 < stops_.size() && stops_[k + 1].first < t) ++k;
    const auto& [t0, c0] = stops_[k];
    const auto& [t1, c1] = stops_[k + 1];
    const double f = t1 > t0 ? (t - t0) / (t1 - t0) : 0;
    lut_[i] = qRgb(int(std::lround(c0.red() + f * (c1.red() - c0.red()))),
                   int(std::lround(c0.green() + f * (c1.green() - c0.green()))),
                   int(std::lround(c0.blue() + f * (c1.blue() - c0.blue()))));
  }
}

QString ColourMap::name() const {
  switch (kind_) {
    case ColourMapKind::Viridis: return "viridis";
    case ColourMapKind::Magma: return "magma";
    case ColourMapKind::Greys: return "greys";
    case ColourMapKind::Diverging: return "diverging";
  }
  return "viridis";
}

QRgb ColourMap::rgb(double t) const {
  if (std::isnan(t)) return nan_;
  const int i = static_cast<int>(std::lround(std::clamp(t, 0.0, 1.0) * 256));
  return lut_[i];
}

QCPColorGradient ColourMap::gradient() const {
  QCPColorGradient g;
  g.clearColorStops();
  for (const auto& [t, c] : stops_) g.setColorStopAt(t, c);
  g.setColorInterpolation(QCPColorGradient::ciRGB);
  g.setNanHandling(QCPColorGradient::nhNanColor);
  g.setNanColor(QColor(nan_));
  return g;
}

QVector<ColourMapKind> ColourMap::all() {
  return {ColourMapKind::Viridis, ColourMapKind::Magma, ColourMapKind::Greys, ColourMapKind::Diverging};
}

ColourMapKind ColourMap::from_name(const QString& name) {
  for (auto k : all())
    if (ColourMap(k).name() == name) return k;
  return ColourMapKind::Viridis;
}

}  // namespace attnscope::widgets
