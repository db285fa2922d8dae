#pragma once
// Layers x heads as small thumbnails of each map, outlined by a sharpness
// score, Transformer and SSM layers marked. Click (or Enter) opens a head;
// right-click (or Space) toggles its ablation; arrow keys move.
#include <QImage>
#include <QPoint>
#include <QString>
#include <QVector>
#include <QWidget>

namespace attnscope::widgets {

struct HeadCell {
  QImage thumbnail;        // any size; drawn scaled without smoothing
  double score = qQNaN();  // sharpness in [0, 1], NaN when unknown
  bool ablated = false;
};

struct LayerRow {
  QString kind;  // "attention", "mamba2", ...
  bool ssm = false;
  QVector<HeadCell> heads;
};

class HeadGrid : public QWidget {
  Q_OBJECT
 public:
  explicit HeadGrid(QWidget* parent = nullptr);

  void set_layers(const QVector<LayerRow>& layers);
  void set_thumbnail(int layer, int head, const QImage& image);
  void set_score(int layer, int head, double score);
  void set_ablated(int layer, int head, bool ablated);
  bool is_ablated(int layer, int head) const;
  int layer_count() const { return layers_.size(); }
  int head_count(int layer) const;

  QPoint current() const { return current_; }  // (head, layer); (-1, -1) when empty
  void set_current(int layer, int head);
  // Centre of a cell in widget coordinates (tests click there).
  QPoint cell_centre(int layer, int head) const;
  QPoint cell_at(const QPoint& pos) const;  // (head, layer) or (-1, -1)
  QSize sizeHint() const override;

 signals:
  void head_opened(int layer, int head);
  void ablation_toggled(int layer, int head);
  void current_changed(int layer, int head);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;

 private:
  int max_heads() const;
  QRect cell_rect(int layer, int head) const;
  int cell_size() const;
  QVector<LayerRow> layers_;
  QPoint current_{-1, -1};
};

}  // namespace attnscope::widgets
