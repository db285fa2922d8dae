#include "core/tasks/task.h"

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

std::string TaskExample::answer() const { return pieces[last_scored(*this)].text; }

}  // namespace attnscope::tasks
