#pragma once
// The answer: top-k next tokens with probability bars, and after an
// ablation the ablated run's top-k beside it and the change in the target
// token's log-probability.
#include <QVector>
#include <QWidget>
#include <optional>

class QLabel;
class QTableWidget;

namespace attnscope::widgets {

struct TokenBar {
  QString token;
  double prob = 0;
};

struct AblationSummary {
  QString spec;  // "1.2:zero"
  QVector<TokenBar> top;
  double logprob_before = 0, logprob_after = 0;
};

class OutputsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit OutputsPanel(QWidget* parent = nullptr);
  void set_intact(const QVector<TokenBar>& top, const QString& target, double target_logprob);
  void set_ablation(const std::optional<AblationSummary>& ablation);  // nullopt: no ablation active
  QString delta_text() const;  // what the delta label shows (tests read it)
  const QTableWidget* table() const { return table_; }

 private:
  void refill();
  QVector<TokenBar> intact_;
  QString target_;
  double target_logprob_ = 0;
  std::optional<AblationSummary> ablation_;
  QLabel* header_;
  QLabel* delta_;
  QTableWidget* table_;
};

}  // namespace attnscope::widgets
