#include "widgets/outputs_panel.h"

#include <QHeaderView>
#include <QLabel>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QVBoxLayout>
#include <cmath>

namespace attnscope::widgets {
namespace {
// Draws the probability as a bar behind the number.
class BarDelegate : public QStyledItemDelegate {
 public:
  using QStyledItemDelegate::QStyledItemDelegate;
  void paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const override {
    const QVariant v = index.data(Qt::UserRole);
    if (v.isValid()) {
      QRect bar = option.rect.adjusted(2, 3, -2, -3);
      bar.setWidth(static_cast<int>(bar.width() * std::clamp(v.toDouble(), 0.0, 1.0)));
      p->fillRect(bar, index.column() == 1 ? QColor(49, 104, 142, 110) : QColor(214, 96, 77, 110));
    }
    QStyledItemDelegate::paint(p, option, index);
  }
};

QString percent(double p) { return QString::number(100 * p, 'f', 2) + " %"; }
}  // namespace

OutputsPanel::OutputsPanel(QWidget* parent)
    : QWidget(parent), header_(new QLabel(this)), delta_(new QLabel(this)), table_(new QTableWidget(this)) {
  setObjectName("outputs_panel");
  auto* layout = new QVBoxLayout(this);
  header_->setWordWrap(true);
  delta_->setWordWrap(true);
  delta_->setObjectName("delta_label");
  delta_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  layout->addWidget(header_);
  layout->addWidget(table_, 1);
  layout->addWidget(delta_);
  table_->setColumnCount(3);
  table_->setHorizontalHeaderLabels({"token", "intact", "ablated"});
  table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
  table_->verticalHeader()->setVisible(true);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setItemDelegate(new BarDelegate(table_));
  refill();
}

void OutputsPanel::set_intact(const QVector<TokenBar>& top, const QString& target, double target_logprob) {
  intact_ = top;
  target_ = target;
  target_logprob_ = target_logprob;
  refill();
}

void OutputsPanel::set_ablation(const std::optional<AblationSummary>& ablation) {
  ablation_ = ablation;
  refill();
}

QString OutputsPanel::delta_text() const { return delta_->text(); }

void OutputsPanel::refill() {
  header_->setText(intact_.isEmpty() ? tr("Run a model or open a session to see its next-token prediction.")
                                     : tr("Next token after the prompt. Target: '%1' (log p = %2)")
                                           .arg(target_)
                                           .arg(target_logprob_, 0, 'f', 4));
  // Rows: the intact top-k, then any token that only the ablated run ranks.
  QVector<QString> tokens;
  for (const auto& t : intact_) tokens << t.token;
  if (ablation_)
    for (const auto& t : ablation_->top)
      if (!tokens.contains(t.token)) tokens << t.token;
  table_->setColumnHidden(2, !ablation_.has_value());
  table_->setRowCount(tokens.size());
  for (int r = 0; r < tokens.size(); ++r) {
    table_->setItem(r, 0, new QTableWidgetItem(tokens[r]));
    for (int c = 1; c <= 2; ++c) {
      const auto& list = c == 1 ? intact_ : (ablation_ ? ablation_->top : QVector<TokenBar>{});
      auto* item = new QTableWidgetItem();
      for (const auto& t : list)
        if (t.token == tokens[r]) item->setText(percent(t.prob)), item->setData(Qt::UserRole, t.prob);
      table_->setItem(r, c, item);
    }
  }
  if (ablation_) {
    const double d = ablation_->logprob_after - ablation_->logprob_before;
    delta_->setText(tr("Ablated %1: log p('%2') %3 \u2192 %4 (change %5)")
                        .arg(ablation_->spec, target_)
                        .arg(ablation_->logprob_before, 0, 'f', 4)
                        .arg(ablation_->logprob_after, 0, 'f', 4)
                        .arg(QString::asprintf("%+.4f", d)));
  } else {
    delta_->setText(tr("No heads ablated. Right-click a head (or press Space) to knock it out."));
  }
}

}  // namespace attnscope::widgets
