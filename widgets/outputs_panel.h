#pragma once
// The answer: top-k next tokens with probability bars, and after an
// ablation the ablated run's top-k beside it and the change in the target
// token's log-probability. A field sets the target: any token, in or out of
// the top-k (its probability is read from the full distribution).
#include <QVector>
#include <QWidget>
#include <optional>
#include <vector>

class QLabel;
class QLineEdit;
class QTableWidget;

namespace attnscope::widgets {

struct TokenBar {
  QString token;
  double prob = 0;
  qint64 id = -1;
};

struct AblationSummary {
  QString spec;  // "1.2:zero"
  QVector<TokenBar> top;
  double logprob_before = 0, logprob_after = 0;
  std::vector<float> probs;  // the whole next-token distribution, when known
};

class OutputsPanel : public QWidget {
  Q_OBJECT
 public:
  explicit OutputsPanel(QWidget* parent = nullptr);
  // `probs`: the whole distribution (may be empty), for tokens the other run ranks.
  void set_intact(const QVector<TokenBar>& top, const QString& target, double target_logprob,
                  std::vector<float> probs = {});
  void set_ablation(const std::optional<AblationSummary>& ablation);  // nullopt: no ablation active
  QString delta_text() const;  // what the delta label shows (tests read it)
  const QTableWidget* table() const { return table_; }
  QLineEdit* target_field() const { return target_field_; }

 signals:
  // The user typed a target ("·B", " B", or "#123") and pressed Enter.
  void target_requested(const QString& text);

 private:
  void refill();
  QVector<TokenBar> intact_;
  std::vector<float> intact_probs_;
  QString target_;
  double target_logprob_ = 0;
  std::optional<AblationSummary> ablation_;
  QLabel* header_;
  QLabel* delta_;
  QTableWidget* table_;
  QLineEdit* target_field_;
};

}  // namespace attnscope::widgets
