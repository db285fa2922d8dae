#include "app/gui/position_patch_view.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace attnscope::gui {
namespace {

// Numbers that sort as numbers.
QTableWidgetItem* number_item(double value, const QString& text) {
  auto* item = new QTableWidgetItem;
  item->setData(Qt::DisplayRole, value);
  item->setData(Qt::ToolTipRole, text);
  item->setFlags(item->flags() & ~Qt::ItemIsEditable);
  return item;
}

}  // namespace

PositionPatchView::PositionPatchView(const QString& head_name, const QStringList& tokens, const QVector<double>& recovered,
                                     QWidget* parent)
    : QDialog(parent), table_(new QTableWidget(static_cast<int>(recovered.size()), 3, this)) {
  setWindowTitle(tr("Positions that carry head %1").arg(head_name));
  setObjectName("position_patch_view");
  auto* layout = new QVBoxLayout(this);
  auto* explain = new QLabel(tr("Head %1 patched from the clean run at one position at a time: the recovered fraction "
                                "of the logit difference (1 = the clean run's). Click a header to sort.")
                                 .arg(head_name),
                             this);
  explain->setWordWrap(true);
  layout->addWidget(explain);
  table_->setHorizontalHeaderLabels({tr("position"), tr("token"), tr("recovered (%)")});
  double largest = 1;
  for (double v : recovered) largest = std::max(largest, v);
  for (int i = 0; i < recovered.size(); ++i) {
    table_->setItem(i, 0, number_item(i, QString::number(i)));
    auto* token = new QTableWidgetItem(i < tokens.size() ? tokens[i] : QString());
    token->setFlags(token->flags() & ~Qt::ItemIsEditable);
    table_->setItem(i, 1, token);
    const double v = recovered[i];
    auto* value = number_item(std::round(v * 1000) / 10, QString::number(100 * v, 'f', 1) + " %");  // percent, one decimal
    // White at 0 (or below), the patching grid's blue at 100% (or the largest).
    const double t = std::clamp(v / largest, 0.0, 1.0);
    value->setBackground(QColor::fromRgbF(1 + (33 / 255.0 - 1) * t, 1 + (102 / 255.0 - 1) * t, 1 + (172 / 255.0 - 1) * t));
    value->setForeground(t > 0.6 ? Qt::white : Qt::black);
    table_->setItem(i, 2, value);
  }
  table_->setSortingEnabled(true);
  table_->sortByColumn(0, Qt::AscendingOrder);  // in prompt order until a header is clicked
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->setVisible(false);
  layout->addWidget(table_);
  resize(420, 520);
}

}  // namespace attnscope::gui
