#pragma once
// The prompt as text, each token tinted by how much the selected query reads
// it (warm for positive weights, blue for negative ones, as in the diverging
// map), the query itself outlined. Hovering a token selects its row: long
// prompts are read here rather than along an axis of 8k labels.
#include <QRect>
#include <QStringList>
#include <QVector>
#include <QWidget>
#include <vector>

namespace attnscope::widgets {

class TokenTextView : public QWidget {
  Q_OBJECT
 public:
  explicit TokenTextView(QWidget* parent = nullptr);

  // Display strings as the session stores them ('·' for a space, '↵' for a newline).
  void set_tokens(const QStringList& tokens);
  // `weights[j]`: how much query `query` reads key j (keys after it are ignored).
  void set_weights(int query, const std::vector<float>& weights);
  int query() const { return query_; }
  QRect token_rect(int i) const { return rects_.value(i); }
  int token_at(const QPoint& pos) const;  // -1 when none
  // The tint of token i: its weight divided by the row's largest |weight|.
  QColor tint(int i) const;

  bool hasHeightForWidth() const override { return true; }
  int heightForWidth(int width) const override;
  QSize sizeHint() const override;

 signals:
  void token_hovered(int index);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  // Places every token for `width`; returns the height used.
  int lay_out(int width, QVector<QRect>* rects) const;
  QString shown(int i) const;

  QStringList tokens_;
  std::vector<float> weights_;
  float largest_ = 0;
  int query_ = -1;
  int hovered_ = -1;
  QVector<QRect> rects_;
};

}  // namespace attnscope::widgets
