#pragma once
// The heatmap of one head: token labels on both axes (query rows, key
// columns), hover tooltip, zoom and pan, colour bar, linear or log scale,
// marks on sharp transitions, and the selected row as a profile plot beneath.
#include <QPoint>
#include <QStringList>
#include <QWidget>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "widgets/colour_map.h"
#include "widgets/figure_composer.h"
#include "widgets/map_display.h"
#include "widgets/map_source.h"
#include "widgets/matrix_image.h"

class QCustomPlot;
class QCPColorScale;
class QCPItemRect;
class QCPGraph;

namespace attnscope::widgets {

class MatrixLayer;
class PooledMapWorker;

struct HeatmapData {
  std::vector<float> values;  // rows x cols, row-major
  int rows = 0, cols = 0;
  QStringList row_labels, col_labels;
  bool causal = true;
  QString title;
  // A map drawn from a MapSource: the session's stored overview (n x n, each
  // cell its block's strongest weight), painted at once while the source
  // computes the screen's resolution. Empty: nothing until then.
  std::vector<float> overview;
};

class HeatmapView : public QWidget {
  Q_OBJECT
 public:
  explicit HeatmapView(QWidget* parent = nullptr);

  void set_data(HeatmapData data);
  // A map too long to hold whole (`data` gives its size, labels and title, no
  // values): the region on show is drawn at screen resolution from `source`,
  // computed off the window's thread and cached; rows, cells and the colour
  // range come from it too.
  void set_source(HeatmapData data, std::shared_ptr<const MapSource> source);
  const HeatmapData& data() const { return data_; }
  bool tiled() const { return source_ != nullptr; }
  bool has_map() const { return !data_.values.empty() || source_; }
  // Tiled: the whole map's first image, colour range and marks have arrived.
  bool image_ready() const { return !source_ || whole_ready_; }
  // Tiled: the whole map's pass or a region's image is being computed.
  bool drawing() const;
  // The cells of the image on show (tiled: pixels may cover blocks of cells).
  QRect drawn_cells() const;
  QSize drawn_pixels() const;
  // Tiled: the pooled image on show (null before the first arrives).
  std::shared_ptr<const PooledMap> drawn() const { return shown_pooled_; }
  std::vector<float> row_values(int row) const;  // keys [0, cols)
  double value_at(int row, int col) const;
  // The whole map: held values, or the source's (slow at long L; throws when it would not fit).
  std::vector<float> whole_map() const;
  // A figure panel for `region` (-1 ends resolved): a long head's source
  // computes that region's cells alone (not the whole map); a map held whole
  // is handed over whole. Throws std::invalid_argument for a region outside the map.
  MapPanel region_panel(const MapRegion& region) const;
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
  void image_ready_now();  // tiled: a head's first whole-map pass arrived (range, marks, first image)
  void region_drawn();     // tiled: a region's image arrived and is on show
  void drawing_failed(const QString& message);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void rebuild_image(bool replot = true);
  void store_marks(const QVector<QPoint>& cells);  // no replot
  void update_colour_scale();
  // Tiled: ask for the region on show (coalesced: once per event-loop turn).
  void request_region();
  void draw_region();
  PooledRequest region_request(bool whole_map) const;
  void accept(uint64_t ticket, PooledMap map);
  void refused(uint64_t ticket, const QString& message);
  void show_pooled(std::shared_ptr<const PooledMap> map);
  void clear_source();
  void adopt(HeatmapData data);  // size, labels, title; selection and marks reset
  void paint_overview();          // tiled: the first paint, from data_.overview
  void start_whole_pass();        // tiled: range, marks and first image, for the current options
  void update_labels();
  void update_tick_labels();
  void update_profile();
  void move_hover(int row, int col);

  HeatmapData data_;
  std::shared_ptr<const MapSource> source_;
  PooledMapWorker* worker_;
  uint64_t ticket_ = 0, whole_ticket_ = 0;
  bool whole_ready_ = false, region_requested_ = false;
  bool first_image_shown_ = false;  // image_ready_now was emitted for this source
  mutable QPoint last_cell_{-1, -1};
  mutable double last_value_ = 0;
  bool source_signed_ = false;
  ValueRange source_range_;
  std::shared_ptr<const PooledMap> shown_pooled_;
  std::optional<PooledRequest> asked_;  // the region under way
  std::vector<std::shared_ptr<const PooledMap>> pooled_cache_;  // most recent first
  static constexpr size_t kPooledKept = 16;
  static constexpr int kVectorMarksAtMost = 2000;  // more marks are drawn as one cached image each
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
