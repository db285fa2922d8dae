#pragma once
// Help > Quick tour: a few panels on the head grid, the heatmap, ablation
// and export, paged with Back and Next.
#include <QDialog>

class QLabel;
class QPushButton;
class QStackedWidget;

namespace attnscope::gui {

class QuickTour : public QDialog {
  Q_OBJECT
 public:
  explicit QuickTour(QWidget* parent = nullptr);
  int page_count() const;
  int current_page() const;
  void show_page(int index);

 private:
  QStackedWidget* pages_;
  QLabel* counter_;
  QPushButton* back_;
  QPushButton* next_;
};

}  // namespace attnscope::gui
