#pragma once
// Token strings as axis labels: shortened, and thinned out so they stay
// legible when a prompt has hundreds of tokens.
#include <QString>
#include <QStringList>
#include <QVector>

namespace attnscope::widgets {

QString short_label(const QString& token, int max_chars = 12);
// Every `step`-th index so that at most `max_labels` labels show.
int label_step(int count, int max_labels);

}  // namespace attnscope::widgets
