#include "app/gui/head_summary.h"

#include <algorithm>
#include <cmath>

#include "core/mixing/head_metrics.h"
#include "core/mixing/map_summary.h"
#include "core/util/error.h"
#include "widgets/map_display.h"
#include "widgets/matrix_image.h"

namespace attnscope::gui {

QVector<QPoint> marks_of(const std::vector<std::pair<int64_t, int64_t>>& cells) {
  QVector<QPoint> marks;
  for (const auto& [i, j] : cells) marks.append(QPoint(static_cast<int>(j), static_cast<int>(i)));
  return marks;
}

QVector<QPoint> sharp_marks(const std::vector<float>& map, int64_t length) {
  return marks_of(mixing::sharp_cells({map.data(), length}));
}

std::vector<float> pool_max(const std::vector<float>& map, int64_t length, int size, int* out_size) {
  mixing::MaxAbsPool pool(length, size);  // pooling alone: the grid takes the head's figures elsewhere
  pool.add_rows(map.data(), 0, length, length);
  *out_size = pool.size();
  return pool.values();
}

QImage thumbnail(const std::vector<float>& map, int64_t length, int size) {
  int n = 0;
  const auto pooled = pool_max(map, length, size, &n);
  const widgets::MatrixView view{pooled.data(), n, n, true};
  // As the head's view draws it: signed maps on the diverging map centred on zero.
  const widgets::DisplayedMap shown = widgets::prepare_display(view, {});
  const widgets::ColourMap colours(shown.is_signed ? widgets::ColourMapKind::Diverging : widgets::ColourMapKind::Viridis);
  return widgets::render_matrix(view, colours, shown.range, widgets::ScaleKind::Linear);
}

void require_drawable(const session::SessionReader& session) {
  if (session.length() > kMaxDrawnLength)
    throw Error(session.path().string() + ": its maps are " + std::to_string(session.length()) + " x " +
                std::to_string(session.length()) + " cells; figures and the window draw at most " +
                std::to_string(kMaxDrawnLength) + " per side");
}

namespace {
// "mamba2_ssd" and every metric the session stores for the head, one a line:
// the grid cell's tooltip (docs/metrics.md defines them).
QString head_details(const session::SessionReader& session, const std::vector<session::MetricRecord>& metrics, int row, int head) {
  QStringList lines{QString::fromStdString(session::head_kind(session.mixer(row), head))};
  for (const auto& m : metrics) {
    if (row >= m.rows || head >= m.max_heads) continue;
    const float v = m.values[static_cast<size_t>(row) * m.max_heads + head];
    if (!std::isnan(v)) lines << QString("%1: %2").arg(QString::fromStdString(m.name)).arg(v, 0, 'g', 4);
  }
  return lines.join('\n');
}
}  // namespace

QVector<widgets::GridRow> grid_rows(const session::SessionReader& session) {
  require_drawable(session);
  QVector<widgets::GridRow> rows;
  const auto& model = session.model();
  std::vector<session::MetricRecord> metrics;
  for (const auto& name : session.metric_names()) metrics.push_back(session.metric(name));
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
    const auto stored_sharpness = std::find_if(metrics.begin(), metrics.end(), [&](const session::MetricRecord& m) {
      return m.name == "transition_sharpness" && row < m.rows && mixer.heads <= m.max_heads;
    });
    if (session.has_maps(row))
      for (int h = 0; h < mixer.heads; ++h) {
        // The stored overview and figure when the session has them: no map is read (or computed) whole.
        const int n = session.overview_size(row);
        const auto map = n > 0 ? session.read_overview(row, h) : session.read_head(row, h);
        grid_row.heads[h].thumbnail = thumbnail(map, n > 0 ? n : session.length());
        if (stored_sharpness != metrics.end()) {
          grid_row.heads[h].score = stored_sharpness->values[static_cast<size_t>(row) * stored_sharpness->max_heads + h];
        } else {
          const auto whole = n > 0 ? session.read_head(row, h) : map;
          grid_row.heads[h].score = mixing::transition_sharpness({whole.data(), session.length()});
        }
      }
    for (int h = 0; h < mixer.heads; ++h) grid_row.heads[h].details = head_details(session, metrics, row, h);
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
