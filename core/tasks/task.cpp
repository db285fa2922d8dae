#include "core/tasks/task.h"

#include <sstream>

#include "core/util/error.h"
#include "core/util/numbers.h"

namespace attnscope::tasks {

namespace {
size_t last_scored(const TaskExample& e) {
  for (size_t i = e.pieces.size(); i-- > 0;)
    if (e.pieces[i].scored) return i;
  throw Error("task example has no scored answer");
}
}  // namespace

std::string TaskExample::prompt() const {
  std::string text;
  const size_t end = last_scored(*this);
  for (size_t i = 0; i < end; ++i) text += pieces[i].text;
  return text;
}

TaskSpec parse_task_spec(const std::string& text) {
  TaskSpec spec;
  const auto colon = text.find(':');
  spec.name = text.substr(0, colon);
  if (colon != std::string::npos) {
    const auto size = parse_int(text.substr(colon + 1));
    if (!size) throw Error("task " + text + ": the size after ':' must be a number");
    spec.pairs = *size;
  }
  return spec;
}

std::vector<TaskSpec> parse_task_specs(const std::string& list, const std::string& option) {
  std::vector<TaskSpec> out;
  std::stringstream s(list);
  std::string item;
  while (std::getline(s, item, ',')) out.push_back(parse_task_spec(item));
  if (out.empty()) throw Error(option + " is empty");
  return out;
}

std::string TaskExample::answer() const { return pieces[last_scored(*this)].text; }

}  // namespace attnscope::tasks
