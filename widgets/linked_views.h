#pragma once
// Heatmap views that show one map in several versions (before / after /
// diff, a comparison) move together: zooming or panning one zooms the
// others, and selecting a query row in one selects it in all.
#include <QList>

namespace attnscope::widgets {

class HeatmapView;

void link_views(const QList<HeatmapView*>& views);

}  // namespace attnscope::widgets
