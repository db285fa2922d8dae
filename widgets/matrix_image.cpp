#include "widgets/matrix_image.h"

#include <algorithm>
#include <cmath>

namespace attnscope::widgets {

ValueRange united(const ValueRange& a, const ValueRange& b) {
  const double sa = a.smallest_positive, sb = b.smallest_positive;
  return {std::min(a.low, b.low), std::max(a.high, b.high), sa > 0 && sb > 0 ? std::min(sa, sb) : std::max(sa, sb)};
}

double log_floor(const ValueRange& range) {
  const double high = std::max(range.high, 1e-30);
  if (range.low > 0) return range.low;
  return range.smallest_positive > 0 ? std::max(range.smallest_positive, high * 1e-12) : high * 1e-4;
}

double normalise(double value, const ValueRange& range, ScaleKind scale, bool diverging) {
  if (std::isnan(value)) return value;
  if (diverging) {
    const double m = std::max(std::abs(range.low), std::abs(range.high));
    return m > 0 ? 0.5 + 0.5 * value / m : 0.5;
  }
  if (scale == ScaleKind::Log) {
    const double high = std::max(range.high, 1e-30);
    const double low = std::min(log_floor(range), high);
    if (value <= low) return 0;
    return (std::log10(value) - std::log10(low)) / std::max(1e-12, std::log10(high) - std::log10(low));
  }
  const double span = range.high - range.low;
  return span > 0 ? (value - range.low) / span : 0;
}

QImage render_matrix(const MatrixView& m, const ColourMap& map, const ValueRange& range, ScaleKind scale) {
  QImage image(m.cols, m.rows, QImage::Format_RGB32);
  if (image.isNull()) return image;  // too large for one image (Qt's limit, or memory): nothing is drawn
  // A lookup table over the value range makes the per-cell work one multiply.
  const bool linear = scale == ScaleKind::Linear || map.diverging();
  for (int i = 0; i < m.rows; ++i) {
    auto* line = reinterpret_cast<QRgb*>(image.scanLine(i));
    const float* row = m.values + static_cast<size_t>(i) * m.cols;
    const int end = m.visible_end(i);
    if (linear && !map.diverging()) {
      const double span = range.high - range.low;
      const double k = span > 0 ? 1.0 / span : 0;
      for (int j = 0; j < end; ++j) line[j] = std::isnan(row[j]) ? map.nan_rgb() : map.rgb((row[j] - range.low) * k);
    } else {
      for (int j = 0; j < end; ++j) line[j] = map.rgb(normalise(row[j], range, scale, map.diverging()));
    }
    std::fill(line + end, line + m.cols, map.nan_rgb());
  }
  return image;
}

QImage crisp_upscale(const QImage& image, int pixels) {
  if (pixels <= 1) return image;
  return image.scaled(image.width() * pixels, image.height() * pixels, Qt::IgnoreAspectRatio,
                      Qt::FastTransformation);
}

}  // namespace attnscope::widgets
