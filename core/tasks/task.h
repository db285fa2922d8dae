#pragma once
// A task example as text pieces, some of them scored answers, plus the
// candidate answers the scoring rule chooses among. Pieces start at word
// boundaries, so tokenising them one by one gives the tokens of the whole.
#include <string>
#include <vector>

namespace attnscope::tasks {

struct TaskPiece {
  std::string text;
  bool scored = false;   // an answer the model must predict (training loss, evaluation)
  bool segment = false;  // a unit of the Gather-and-Aggregate probe (an option line, a pair):
                         // its last token is where a gather head collects it
};

struct TaskExample {
  std::vector<TaskPiece> pieces;
  std::vector<std::string> choices;  // candidates for the final answer, e.g. " A" .. " D"

  // Everything before the last scored piece: what the model reads.
  std::string prompt() const;
  // The last scored piece: the answer the model should give next.
  std::string answer() const;
};

struct TaskSpec {
  std::string name;         // letters, mqar, dictionary, phonebook, induction
  int pairs = 0;            // key-value pairs / options / dictionary entries (0: the task's default)
};

// "mqar" or "mqar:8" (eight pairs; options, entries or length for the other
// tasks). Throws attnscope::Error when the size is not a number.
TaskSpec parse_task_spec(const std::string& text);
// "letters:4,mqar:6" -> the specs; throws naming `option` when the list is empty.
std::vector<TaskSpec> parse_task_specs(const std::string& list, const std::string& option);

// The task names `generate` knows, for messages and the CLI.
const std::vector<std::string>& task_names();

// `count` examples of the task, deterministic in `seed`. Throws attnscope::Error
// for an unknown task name or sizes the word list cannot supply.
std::vector<TaskExample> generate(const TaskSpec& spec, int count, unsigned seed);

}  // namespace attnscope::tasks
