#include "core/tasks/task.h"

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

std::string TaskExample::answer() const { return pieces[last_scored(*this)].text; }

}  // namespace attnscope::tasks
