#pragma once
// The nouns the generators draw from: datasets/words.txt (shipped), or
// Debian's /usr/share/dict/american-english filtered to short lowercase words.
#include <string>
#include <vector>

namespace attnscope::tasks {

const std::vector<std::string>& task_words();

}  // namespace attnscope::tasks
