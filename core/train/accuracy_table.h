#pragma once
// How `graft` and `distill` report task accuracy: three columns per task
// (the model given, the new one before training, after), as a terminal table
// and in model cards.
#include <map>
#include <string>

namespace attnscope::train {

using Accuracies = std::map<std::string, double>;  // task label -> fraction

std::string percent_text(double fraction);  // 0.691 -> "69.1%"
// "task  source  grafted  after\nmqar:16  40.0%  13.2%  69.0%\n" with the given column names.
std::string accuracy_table(const std::string& given, const std::string& before, const Accuracies& given_accuracy,
                           const Accuracies& before_accuracy, const Accuracies& after_accuracy);
// The same as Markdown rows for a model card.
std::string accuracy_markdown(const std::string& given, const std::string& before, const Accuracies& given_accuracy,
                              const Accuracies& before_accuracy, const Accuracies& after_accuracy);

}  // namespace attnscope::train
