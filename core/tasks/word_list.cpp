#include "core/tasks/word_list.h"

#include <sstream>

#include "core/runtime/resources.h"
#include "core/util/error.h"
#include "core/util/input_file.h"

namespace attnscope::tasks {

const std::vector<std::string>& task_words() {
  static const std::vector<std::string> words = [] {
    std::vector<std::string> out;
    const auto file = datasets_dir() / "words.txt";
    std::istringstream in(files::read_file(file));
    std::string line;
    while (std::getline(in, line))
      if (!line.empty() && line[0] != '#') out.push_back(line);
    if (out.size() < 16) throw Error(file.string() + ": the task word list has fewer than 16 words");
    return out;
  }();
  return words;
}

}  // namespace attnscope::tasks
