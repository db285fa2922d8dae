#include "core/train/output_folder.h"

#include <unistd.h>

#include <algorithm>

#include "core/util/error.h"
#include "core/util/input_file.h"

namespace attnscope::train {
namespace fs = std::filesystem;

OutputFolder::OutputFolder(fs::path out, std::set<std::string> own_files, const std::string& command,
                           const std::string& marker, const fs::path& source)
    : out_(std::move(out)), command_(command) {
  if (out_.empty()) throw Error(command_ + ": give an output folder");
  // "grafted/" names the folder "grafted" (the side folder must sit beside it, not inside).
  out_ = out_.lexically_normal();
  if (!out_.has_filename()) out_ = out_.parent_path();
  std::error_code ec;
  if (!source.empty()) {
    const fs::path a = fs::weakly_canonical(out_, ec), b = fs::weakly_canonical(source, ec);
    const auto [end, _] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
    if (end == a.end())
      throw Error(command_ + ": " + out_.string() + " is (or holds) the checkpoint being read; choose another output folder "
                  "(nothing was changed)");
  }
  if (fs::exists(fs::symlink_status(out_, ec))) {
    bool ours = fs::is_directory(out_, ec), empty = true;
    if (ours)
      for (const auto& entry : fs::directory_iterator(out_, ec)) {
        empty = false;
        if (!own_files.count(entry.path().filename().string())) ours = false;
      }
    if (ours && !empty && !marker.empty()) {
      std::string card;
      try {
        card = files::read_file(out_ / "README.md", 1 << 20);
      } catch (const Error&) {
      }
      ours = card.find(marker) != std::string::npos;
    }
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
  if (fs::exists(out_)) {
    fs::rename(out_, old, ec);
    if (ec) throw Error(command_ + ": cannot move the old " + out_.string() + " aside: " + ec.message());
  }
  fs::rename(work_, out_, ec);
  if (ec) {
    std::error_code ignored;
    if (fs::exists(old)) fs::rename(old, out_, ignored);
    throw Error(command_ + ": cannot move the finished checkpoint to " + out_.string() + ": " + ec.message());
  }
  published_ = true;
  fs::remove_all(old, ec);
}

}  // namespace attnscope::train
