#include "app/gui/head_summary.h"

#include <algorithm>
#include <cmath>

#include "core/mixing/head_metrics.h"
#include "core/util/error.h"
#include "widgets/matrix_image.h"

namespace attnscope::gui {

std::vector<float> pool_max(const std::vector<float>& map, int64_t length, int size, int* out_size) {
  const int n = static_cast<int>(std::min<int64_t>(length, size));
  *out_size = n;
  std::vector<float> out(static_cast<size_t>(n) * n, 0.f);
  std::vector<bool> seen(out.size(), false);
  for (int64_t i = 0; i < length; ++i)
    for (int64_t j = 0; j <= i; ++j) {
      const size_t k = static_cast<size_t>(i * n / length) * n + static_cast<size_t>(j * n / length);
      const float v = std::abs(map[i * length + j]);
      if (!seen[k] || v > out[k]) out[k] = v, seen[k] = true;
    }
  return out;
}

QImage thumbnail(const std::vector<float>& map, int64_t length, int size) {
  int n = 0;
  const auto pooled = pool_max(map, length, size, &n);
  const widgets::MatrixView view{pooled.data(), n, n, true};
  const widgets::ColourMap colours(widgets::ColourMapKind::Viridis);
  return widgets::render_matrix(view, colours, widgets::value_range(view, false), widgets::ScaleKind::Linear);
}

void require_drawable(const session::SessionReader& session) {
  if (session.length() > kMaxDrawnLength)
    throw Error(session.path().string() + ": its maps are " + std::to_string(session.length()) + " x " +
                std::to_string(session.length()) + " cells; figures and the window draw at most " +
                std::to_string(kMaxDrawnLength) + " per side");
}

QVector<widgets::GridRow> grid_rows(const session::SessionReader& session) {
  require_drawable(session);
  QVector<widgets::GridRow> rows;
  const auto& model = session.model();
  for (size_t r = 0; r < model.mixers.size(); ++r) {
    const int row = static_cast<int>(r);
    const auto& mixer = session.mixer(row);
    widgets::GridRow grid_row;
    grid_row.ssm = mixer.name == "ssm";
    // "L3 A": the layer and A/S; a hybrid layer's two mixers get a row each.
    grid_row.label = QString("L%1 %2").arg(mixer.layer).arg(grid_row.ssm ? "S" : "A");
    grid_row.kind = QString("layer %1, %2: %3, %4 heads")
                        .arg(mixer.layer)
                        .arg(QString::fromStdString(mixer.name), QString::fromStdString(mixer.kind))
                        .arg(mixer.heads);
    if (!mixer.description.empty()) grid_row.kind += " (" + QString::fromStdString(mixer.description) + ")";
    grid_row.heads.resize(mixer.heads);
    if (session.has_maps(row))
      for (int h = 0; h < mixer.heads; ++h) {
        const auto map = session.read_head(row, h);
        grid_row.heads[h].thumbnail = thumbnail(map, session.length());
        grid_row.heads[h].score = mixing::transition_sharpness({map.data(), session.length()});
      }
    rows.append(grid_row);
  }
  return rows;
}

QStringList token_labels(const session::SessionReader& session) {
  QStringList labels;
  for (const auto& t : session.prompt().tokens) labels << QString::fromStdString(t);
  return labels;
}

}  // namespace attnscope::gui
