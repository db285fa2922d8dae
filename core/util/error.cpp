#include "core/util/error.h"

namespace attnscope {

void fail_file(const std::filesystem::path& path, const std::string& problem) {
  throw Error(path.string() + ": " + problem);
}

}  // namespace attnscope
