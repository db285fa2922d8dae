#pragma once
// Writes a whole text file beside its target and moves it into place only
// when complete, so a failed write never leaves half a file under the
// user's name. Throws attnscope::Error with one clear message.
#include <filesystem>
#include <string>

namespace attnscope::cli {

void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace attnscope::cli
