#include "core/runtime/resources.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace attnscope {
namespace fs = std::filesystem;

namespace {
fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}
}  // namespace

fs::path resource_dir() {
  if (const char* env = std::getenv("ATTNSCOPE_RESOURCES"); env && *env) return env;
  const fs::path installed = executable_dir() / ".." / "share" / "attnscope";
  if (fs::exists(installed / "models")) return fs::weakly_canonical(installed);
  return fs::path(ATTNSCOPE_SOURCE_RESOURCES);
}

fs::path datasets_dir() {
  const fs::path beside = resource_dir() / "datasets";
  return fs::exists(beside) ? beside : resource_dir().parent_path() / "datasets";
}

std::vector<fs::path> demo_models() {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(resource_dir() / "models", ec))
    if (e.is_directory() && fs::exists(e.path() / "config.json")) out.push_back(e.path());
  // The Transformer demo first (the app's default), then the others by name.
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) {
    const bool a_first = a.filename() == "transformer", b_first = b.filename() == "transformer";
    return a_first != b_first ? a_first : a < b;
  });
  return out;
}

std::string demo_prompt() {
  std::ifstream in(resource_dir() / "prompts" / "demo.txt");
  if (!in) return "The quick brown fox jumps over the lazy dog. The quick brown fox";
  std::ostringstream s;
  s << in.rdbuf();
  std::string text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

}  // namespace attnscope
