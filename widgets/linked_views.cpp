#include "widgets/linked_views.h"

#include <qcustomplot.h>

#include <memory>

#include "widgets/heatmap_view.h"

namespace attnscope::widgets {

void link_views(const QList<HeatmapView*>& views) {
  // One guard for the group: a change passed on must not come back.
  auto passing = std::make_shared<bool>(false);
  for (HeatmapView* from : views) {
    const auto pass_on = [views, from, passing](auto apply) {
      if (*passing) return;
      *passing = true;
      for (HeatmapView* to : views)
        if (to != from) apply(to);
      *passing = false;
    };
    QObject::connect(from->plot()->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), from,
                     [pass_on](const QCPRange& range) {
                       pass_on([&](HeatmapView* to) {
                         to->plot()->xAxis->setRange(range);
                         to->plot()->replot(QCustomPlot::rpQueuedReplot);
                       });
                     });
    QObject::connect(from->plot()->yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), from,
                     [pass_on](const QCPRange& range) {
                       pass_on([&](HeatmapView* to) {
                         to->plot()->yAxis->setRange(range);
                         to->plot()->replot(QCustomPlot::rpQueuedReplot);
                       });
                     });
    QObject::connect(from, &HeatmapView::row_selected, from,
                     [pass_on](int row) { pass_on([&](HeatmapView* to) { to->select_row(row); }); });
  }
}

}  // namespace attnscope::widgets
