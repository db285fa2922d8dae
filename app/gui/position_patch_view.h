#pragma once
// Which positions carry a head's information: one row per prompt position
// with its token and the recovered fraction when only that position of the
// head's output is patched from the clean run, tinted blue by it; the
// columns sort on a click.
#include <QDialog>
#include <QStringList>
#include <QVector>

class QTableWidget;

namespace attnscope::gui {

class PositionPatchView : public QDialog {
  Q_OBJECT
 public:
  PositionPatchView(const QString& head_name, const QStringList& tokens, const QVector<double>& recovered,
                    QWidget* parent = nullptr);
  QTableWidget* table() const { return table_; }

 private:
  QTableWidget* table_;
};

}  // namespace attnscope::gui
