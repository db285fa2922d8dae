#include "core/train/accuracy_table.h"

#include <cstdio>

namespace attnscope::train {

std::string percent_text(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", 100 * fraction);
  return buffer;
}

std::string accuracy_table(const std::string& given, const std::string& before, const Accuracies& g, const Accuracies& b,
                           const Accuracies& a) {
  char line[256];
  std::snprintf(line, sizeof line, "%-12s %8s %9s %8s\n", "task", given.c_str(), before.c_str(), "after");
  std::string out = line;
  for (const auto& [task, after] : a) {
    std::snprintf(line, sizeof line, "%-12s %8s %9s %8s\n", task.c_str(), percent_text(g.at(task)).c_str(),
                  percent_text(b.at(task)).c_str(), percent_text(after).c_str());
    out += line;
  }
  return out;
}

std::string accuracy_markdown(const std::string& given, const std::string& before, const Accuracies& g, const Accuracies& b,
                              const Accuracies& a) {
  std::string out = "| task | " + given + " | " + before + " | after |\n|---|---|---|---|\n";
  for (const auto& [task, after] : a)
    out += "| " + task + " | " + percent_text(g.at(task)) + " | " + percent_text(b.at(task)) + " | " + percent_text(after) + " |\n";
  return out;
}

}  // namespace attnscope::train
