#include "widgets/token_text_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <algorithm>
#include <cmath>

#include "widgets/colour_map.h"

namespace attnscope::widgets {
namespace {
constexpr int kMargin = 6;
constexpr int kPadding = 2;  // around each token's text, inside its tint
}  // namespace

TokenTextView::TokenTextView(QWidget* parent) : QWidget(parent) {
  setMouseTracking(true);
  setObjectName("token_text");
  QSizePolicy policy(QSizePolicy::Preferred, QSizePolicy::Preferred);
  policy.setHeightForWidth(true);
  setSizePolicy(policy);
}

void TokenTextView::set_tokens(const QStringList& tokens) {
  tokens_ = tokens;
  weights_.clear();
  query_ = hovered_ = -1;
  lay_out(width(), &rects_);
  updateGeometry();
  update();
}

void TokenTextView::set_weights(int query, const std::vector<float>& weights) {
  query_ = query;
  weights_ = weights;
  largest_ = 0;
  for (int j = 0; j <= query && j < static_cast<int>(weights_.size()); ++j)
    if (!std::isnan(weights_[j])) largest_ = std::max(largest_, std::abs(weights_[j]));
  update();
}

QString TokenTextView::shown(int i) const {
  QString text = tokens_[i];
  text.replace(QChar(0x00B7), ' ');  // '·' is a space
  return text.isEmpty() ? QString(" ") : text;
}

int TokenTextView::lay_out(int width, QVector<QRect>* rects) const {
  const QFontMetrics fm(font());
  const int line = fm.height() + 2 * kPadding + 2;
  int x = kMargin, y = kMargin;
  if (rects) rects->clear();
  for (int i = 0; i < tokens_.size(); ++i) {
    const int w = fm.horizontalAdvance(shown(i)) + 2 * kPadding;
    if (x + w > width - kMargin && x > kMargin) x = kMargin, y += line;
    if (rects) rects->append(QRect(x, y, w, line - 2));
    x += w;
    if (tokens_[i].contains(QChar(0x21B5))) x = kMargin, y += line;  // '↵' ends the line
  }
  return y + line + kMargin;
}

int TokenTextView::heightForWidth(int width) const { return lay_out(width, nullptr); }

QSize TokenTextView::sizeHint() const { return QSize(400, heightForWidth(400)); }

void TokenTextView::resizeEvent(QResizeEvent* event) {
  lay_out(width(), &rects_);
  QWidget::resizeEvent(event);
}

int TokenTextView::token_at(const QPoint& pos) const {
  for (int i = 0; i < rects_.size(); ++i)
    if (rects_[i].contains(pos)) return i;
  return -1;
}

QColor TokenTextView::tint(int i) const {
  if (query_ < 0 || i > query_ || i >= static_cast<int>(weights_.size()) || !(largest_ > 0) || std::isnan(weights_[i]))
    return palette().base().color();
  static const ColourMap diverging(ColourMapKind::Diverging);
  return QColor(diverging.rgb(0.5 + 0.5 * weights_[i] / largest_));
}

void TokenTextView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().base());
  for (int i = 0; i < rects_.size(); ++i) {
    const QColor fill = tint(i);
    p.fillRect(rects_[i], fill);
    if (i == query_) {
      p.setPen(QPen(palette().highlight().color(), 2));
      p.drawRect(rects_[i].adjusted(1, 1, -1, -1));
    }
    p.setPen(fill.lightnessF() < 0.45 ? Qt::white : palette().text().color());
    p.drawText(rects_[i], Qt::AlignCenter, shown(i));
  }
}

void TokenTextView::mouseMoveEvent(QMouseEvent* event) {
  const int i = token_at(event->pos());
  if (i >= 0 && i != hovered_) {
    hovered_ = i;
    emit token_hovered(i);
  }
  if (i >= 0) QToolTip::showText(event->globalPosition().toPoint(), tr("token %1: '%2'").arg(i).arg(tokens_[i]), this);
  QWidget::mouseMoveEvent(event);
}

}  // namespace attnscope::widgets
