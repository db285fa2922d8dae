#pragma once
// What the grid shows for each head of a session: a small thumbnail of its
// map and its transition sharpness (docs/metrics.md).
#include <QImage>
#include <QPoint>
#include <QVector>
#include <utility>
#include <vector>

#include "core/session/session_reader.h"
#include "widgets/head_grid.h"

namespace attnscope::gui {

// Pools an L x L map to at most `size` x `size` by the largest |weight|, sign
// kept (the largest keeps sharp peaks visible).
std::vector<float> pool_max(const std::vector<float>& map, int64_t length, int size, int* out_size);
QImage thumbnail(const std::vector<float>& map, int64_t length, int size = 48);
// One row per mixer of the model (a layer may have none or several); mixers
// without maps have empty cells.
QVector<widgets::GridRow> grid_rows(const session::SessionReader& session);
// (col, row) of the cells where a row jumps sharply (mixing::sharp_cells), for marks.
QVector<QPoint> sharp_marks(const std::vector<float>& map, int64_t length);
// Cells of mixing::sharp_cells, (row, col), as marks QPoint(col, row).
QVector<QPoint> marks_of(const std::vector<std::pair<int64_t, int64_t>>& cells);
// Labels for axes, from the session's token strings.
QStringList token_labels(const session::SessionReader& session);

// Maps are drawn as one image per head; beyond this many cells a side the
// image would exceed Qt's limits (and gigabytes of memory).
constexpr int64_t kMaxDrawnLength = 16384;
// Throws attnscope::Error naming the session when its maps are larger than that.
void require_drawable(const session::SessionReader& session);

}  // namespace attnscope::gui
