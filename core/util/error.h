#pragma once
// One exception type for every error a user can cause (bad file, unknown
// architecture, prompt too long, ...). The message is what the user reads:
// it names the file or the input and says what is wrong, in one line.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace attnscope {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "<path>: <problem>" — the shape of every file error message.
[[noreturn]] void fail_file(const std::filesystem::path& path, const std::string& problem);

}  // namespace attnscope
