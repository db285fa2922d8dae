#pragma once
// A command's output checkpoint folder, written safely: the work happens in
// a side folder that a failure removes; publish() puts it in place of the
// output folder, which it replaces only if that folder holds nothing but
// files such a command writes and, when it holds any, a README.md that such
// a command wrote (its card carries `marker`): never a user's own checkpoint.
#include <filesystem>
#include <set>
#include <string>

namespace attnscope::train {

class OutputFolder {
 public:
  // Throws attnscope::Error (nothing changed) when `out` exists and is not
  // such a folder, or is (or holds) `source`, the checkpoint being read.
  OutputFolder(std::filesystem::path out, std::set<std::string> own_files, const std::string& command,
               const std::string& marker = "", const std::filesystem::path& source = {});
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
