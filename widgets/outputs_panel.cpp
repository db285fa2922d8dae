#include "widgets/outputs_panel.h"

#include <QHeaderView>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QStyledItemDelegate>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>
#include <optional>

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

// NaN: a session without the whole distribution (an older file) and a target it did not store.
QString logprob_text(double v) {
  return std::isnan(v) ? QObject::tr("unknown (the session lacks the full distribution)") : QString::number(v, 'f', 4);
}

// The probability of a row's token in one run: from its top-k, else from its whole distribution.
std::optional<double> probability(const QVector<TokenBar>& top, const std::vector<float>& probs, const TokenBar& row) {
  for (const auto& t : top)
    if (t.token == row.token) return t.prob;
  if (row.id >= 0 && row.id < static_cast<qint64>(probs.size())) return probs[row.id];
  return std::nullopt;
}
}  // namespace

OutputsPanel::OutputsPanel(QWidget* parent)
    : QWidget(parent),
      header_(new QLabel(this)),
      delta_(new QLabel(this)),
      table_(new QTableWidget(this)),
      target_field_(new QLineEdit(this)) {
  setObjectName("outputs_panel");
  auto* layout = new QVBoxLayout(this);
  target_field_->setObjectName("target_field");
  target_field_->setPlaceholderText(tr("a token, e.g. ·B (· is a space), or #id"));
  target_field_->setToolTip(tr("The token whose log-probability ablations, sweeps and patching measure (Enter to set; "
                               "Ctrl+Z undoes). Any token of the vocabulary, in the top-k or not."));
  connect(target_field_, &QLineEdit::returnPressed, this, [this] { emit target_requested(target_field_->text()); });
  auto* target_row = new QFormLayout;
  target_row->addRow(tr("Target"), target_field_);
  layout->addLayout(target_row);
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

void OutputsPanel::set_intact(const QVector<TokenBar>& top, const QString& target, double target_logprob,
                              std::vector<float> probs) {
  intact_ = top;
  intact_probs_ = std::move(probs);
  target_ = target;
  target_logprob_ = target_logprob;
  if (!target_field_->hasFocus()) target_field_->setText(target);
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
                                           .arg(target_, logprob_text(target_logprob_)));
  // Rows: the intact top-k, then any token that only the ablated run ranks.
  QVector<TokenBar> rows = intact_;
  const auto listed = [&](const TokenBar& t) {
    return std::any_of(rows.begin(), rows.end(), [&](const TokenBar& r) { return r.token == t.token; });
  };
  if (ablation_)
    for (const auto& t : ablation_->top)
      if (!listed(t)) rows << t;
  table_->setColumnHidden(2, !ablation_.has_value());
  table_->setRowCount(rows.size());
  for (int r = 0; r < rows.size(); ++r) {
    table_->setItem(r, 0, new QTableWidgetItem(rows[r].token));
    for (int c = 1; c <= 2; ++c) {
      auto* item = new QTableWidgetItem();
      const auto p = c == 1 ? probability(intact_, intact_probs_, rows[r])
                            : (ablation_ ? probability(ablation_->top, ablation_->probs, rows[r]) : std::nullopt);
      if (p) item->setText(percent(*p)), item->setData(Qt::UserRole, *p);
      table_->setItem(r, c, item);
    }
  }
  if (ablation_) {
    const double d = ablation_->logprob_after - ablation_->logprob_before;
    delta_->setText(tr("Ablated %1: log p('%2') %3 \u2192 %4 (change %5)")
                        .arg(ablation_->spec, target_, logprob_text(ablation_->logprob_before),
                             logprob_text(ablation_->logprob_after),
                             std::isnan(d) ? logprob_text(d) : QString::asprintf("%+.4f", d)));
  } else {
    delta_->setText(tr("No heads ablated. Right-click a head (or press Space) to knock it out."));
  }
}

}  // namespace attnscope::widgets
