#pragma once
// Mixers x heads as small thumbnails of each map, outlined by a sharpness
// score: one row per mixer (a hybrid layer with attention and an SSM has two),
// attention and SSM rows marked. Click (or Enter) opens a head;
// right-click (or Space) toggles its ablation; arrow keys move. The grid can
// instead show one number per head (a sweep's change in log p, its KL) as
// coloured cells with a legend.
#include <QColor>
#include <QImage>
#include <QPoint>
#include <QString>
#include <QVector>
#include <QWidget>

namespace attnscope::widgets {

struct HeadCell {
  QImage thumbnail;        // any size; drawn scaled without smoothing
  double score = qQNaN();  // sharpness in [0, 1], NaN when unknown: the outline's colour
  bool ablated = false;
  QString details;         // every stored metric of the head, one per line: the cell's tooltip
};

struct GridRow {
  QString label;  // row header, e.g. "L3 A" or "L3 S"
  QString kind;   // shown as the header's tooltip: "softmax_attention", "mamba2_ssd", ...
  bool ssm = false;
  QVector<HeadCell> heads;
};

// How per-head values are coloured: white at `zero`, `full` at `extreme`
// (either side of zero), the value printed where the cell is large enough.
struct ValueScale {
  QString caption;  // the legend's text: "change in log p(·B), head zero-ablated alone"
  QString unit;     // in tooltips: "nats"
  double zero = 0, extreme = 1;
  QColor full;
};

class HeadGrid : public QWidget {
  Q_OBJECT
 public:
  explicit HeadGrid(QWidget* parent = nullptr);

  void set_rows(const QVector<GridRow>& rows);
  void set_thumbnail(int row, int head, const QImage& image);
  void set_score(int row, int head, double score);
  void set_ablated(int row, int head, bool ablated);
  bool is_ablated(int row, int head) const;
  // values[row][head] (NaN: none); shown instead of the thumbnails until
  // show_values(false). Empty values: back to thumbnails.
  void set_values(const QVector<QVector<double>>& values, const ValueScale& scale);
  void show_values(bool on);
  bool showing_values() const { return showing_values_; }
  double value(int row, int head) const;  // NaN when none
  // The colour a value gets (tests check cells against it).
  QColor value_colour(double value) const;
  // The outline of a head with this transition sharpness: pale when smooth, warm red when sharp.
  static QColor outline_colour(double score);
  int row_count() const { return rows_.size(); }
  const HeadCell& cell(int row, int head) const { return rows_[row].heads[head]; }
  int head_count(int row) const;

  QPoint current() const { return current_; }  // (head, row); (-1, -1) when empty
  void set_current(int row, int head);
  // Centre of a cell in widget coordinates (tests click there).
  QPoint cell_centre(int row, int head) const;
  QPoint cell_at(const QPoint& pos) const;  // (head, row) or (-1, -1)
  QSize sizeHint() const override;

 signals:
  void head_opened(int row, int head);
  void ablation_toggled(int row, int head);
  void current_changed(int row, int head);

 protected:
  void paintEvent(QPaintEvent* event) override;
  bool event(QEvent* event) override;  // tooltips: a row header names its mixer kind
  void mousePressEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;

 private:
  int max_heads() const;
  QRect cell_rect(int row, int head) const;
  int cell_size() const;
  QRect legend_rect() const;
  void paint_legend(QPainter& p) const;
  QVector<GridRow> rows_;
  QPoint current_{-1, -1};
  QVector<QVector<double>> values_;
  ValueScale scale_;
  bool showing_values_ = false;
};

}  // namespace attnscope::widgets
