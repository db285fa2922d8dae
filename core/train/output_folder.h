#pragma once
// A command's output checkpoint folder, written safely: the work happens in
// a side folder that a failure removes; publish() puts it in place of the
// output folder, which it replaces only if that folder holds nothing but
// files such a command writes (never a user's other files).
#include <filesystem>
#include <set>
#include <string>

namespace attnscope::train {

class OutputFolder {
 public:
  // Throws attnscope::Error (nothing changed) when `out` exists and holds other files.
  OutputFolder(std::filesystem::path out, std::set<std::string> own_files, const std::string& command);
  ~OutputFolder();
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;

  const std::filesystem::path& work() const { return work_; }
  void publish();  // throws attnscope::Error; the old folder stays when the swap fails

 private:
  std::filesystem::path out_, work_;
  std::string command_;
  bool published_ = false;
};

}  // namespace attnscope::train
