#include "app/cli/atomic_file.h"

#include <fstream>

#include "core/util/error.h"

namespace attnscope::cli {

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  const std::filesystem::path partial = path.string() + ".partial";
  {
    std::ofstream out(partial);
    out << content;
    out.flush();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(partial, ignored);
      throw Error("cannot write " + path.string());
    }
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) throw Error("cannot move the finished " + path.string() + " into place: " + ec.message());
}

}  // namespace attnscope::cli
