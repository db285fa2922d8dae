#include "core/tasks/task.h"

#include <exception>

#include "core/util/error.h"

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
    try {
      spec.pairs = std::stoi(text.substr(colon + 1));
    } catch (const std::exception&) {
      throw Error("task " + text + ": the size after ':' must be a number");
    }
  }
  return spec;
}

std::string TaskExample::answer() const { return pieces[last_scored(*this)].text; }

}  // namespace attnscope::tasks
