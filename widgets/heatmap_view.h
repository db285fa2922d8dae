#pragma once
// The heatmap of one head: token labels on both axes (query rows, key
// columns), hover tooltip, zoom and pan, colour bar, linear or log scale,
// marks on sharp transitions, and the selected row as a profile plot beneath.
#include <QPoint>
#include <QStringList>
#include <QWidget>
#include <optional>
#include <vector>

#include "widgets/colour_map.h"
#include "widgets/figure_composer.h"
#include "widgets/map_display.h"
#include "widgets/matrix_image.h"

class QCustomPlot;
class QCPColorScale;
class QCPItemRect;
class QCPGraph;

namespace attnscope::widgets {

class MatrixLayer;

struct HeatmapData {
  std::vector<float> values;  // rows x cols, row-major
  int rows = 0, cols = 0;
  QStringList row_labels, col_labels;
  bool causal = true;
  QString title;
};

class HeatmapView : public QWidget {
  Q_OBJECT
 public:
  explicit HeatmapView(QWidget* parent = nullptr);

  void set_data(HeatmapData data);
  const HeatmapData& data() const { return data_; }
  // The chosen map is used for maps of one sign; maps holding negative weights
  // (SSMs) are drawn with the diverging map centred on zero whatever is chosen.
  void set_colour_map(ColourMapKind kind);
  ColourMapKind drawn_colour_map() const { return map_.kind(); }
  ColourMapKind chosen_colour_map() const { return chosen_map_; }
  void set_display(const DisplayOptions& options);
  const DisplayOptions& display() const { return display_; }
  void set_scale(ScaleKind scale);
  // A fixed range shares one colour scale between views (comparisons).
  void set_fixed_range(std::optional<ValueRange> range);
  ValueRange current_range() const { return range_; }
  void set_marks(const QVector<QPoint>& cells);  // QPoint(col, row) of sharp transitions
  int marks_count() const { return marks_.size(); }
  const QVector<QPoint>& marks() const { return marks_; }
  ScaleKind scale() const { return scale_; }
  // Queries and keys at least half on show (the whole map when not zoomed).
  MapRegion visible_region() const;
  void select_row(int row);
  int selected_row() const { return selected_row_; }
  void reset_zoom();

  // "query 'tok' (i) → key 'tok' (j): 0.1234" — the hover tooltip.
  QString cell_text(int row, int col) const;
  // Cell under a widget-relative position of the main plot, or (-1, -1).
  QPoint cell_at(const QPoint& plot_pos) const;
  QCustomPlot* plot() const { return plot_; }
  QCustomPlot* profile() const { return profile_; }

 signals:
  void cell_hovered(int row, int col, double value);
  void row_selected(int row);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void rebuild_image();
  void update_labels();
  void update_tick_labels();
  void update_profile();
  void move_hover(int row, int col);

  HeatmapData data_;
  ColourMap map_;
  ColourMapKind chosen_map_ = ColourMapKind::Viridis;
  DisplayOptions display_;
  QPoint press_pos_;
  ScaleKind scale_ = ScaleKind::Linear;
  std::optional<ValueRange> fixed_range_;
  ValueRange range_;
  QVector<QPoint> marks_;
  int selected_row_ = -1;
  QPoint hover_{-1, -1};

  QCustomPlot* plot_;
  QCustomPlot* profile_;
  MatrixLayer* matrix_;
  QCPColorScale* colour_scale_;
  QCPItemRect* hover_box_;
  QCPItemRect* row_box_;
  QCPGraph* marks_graph_;
  QCPGraph* profile_graph_;
  QCPGraph* profile_marks_;
};

}  // namespace attnscope::widgets
