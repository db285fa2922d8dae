#include "core/train/output_folder.h"

#include <unistd.h>

#include "core/util/error.h"

namespace attnscope::train {
namespace fs = std::filesystem;

OutputFolder::OutputFolder(fs::path out, std::set<std::string> own_files, const std::string& command)
    : out_(std::move(out)), command_(command) {
  if (out_.empty()) throw Error(command_ + ": give an output folder");
  std::error_code ec;
  if (fs::exists(fs::symlink_status(out_, ec))) {
    bool ours = fs::is_directory(out_, ec);
    if (ours)
      for (const auto& entry : fs::directory_iterator(out_, ec))
        if (!own_files.count(entry.path().filename().string())) ours = false;
    if (!ours)
      throw Error(command_ + ": " + out_.string() + " exists and is not a checkpoint folder written by " + command_ +
                  "; choose a new folder (nothing was changed)");
  }
  work_ = out_.string() + ".partial-" + std::to_string(::getpid());
  fs::remove_all(work_);
  fs::create_directories(work_);
}

OutputFolder::~OutputFolder() {
  std::error_code ignored;
  if (!published_) fs::remove_all(work_, ignored);
}

void OutputFolder::publish() {
  // The old checkpoint (if any) is removed only once the new one is in place.
  const fs::path old = out_.string() + ".old-" + std::to_string(::getpid());
  std::error_code ec;
  if (fs::exists(out_)) fs::rename(out_, old);
  fs::rename(work_, out_, ec);
  if (ec) {
    if (fs::exists(old)) fs::rename(old, out_);
    throw Error(command_ + ": cannot move the finished checkpoint to " + out_.string() + ": " + ec.message());
  }
  published_ = true;
  fs::remove_all(old, ec);
}

}  // namespace attnscope::train
