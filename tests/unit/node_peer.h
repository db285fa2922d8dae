#pragma once
// Running a tokenizer peer written for node: the texts go to its stdin as a
// JSON array, its JSON answer comes back. A missing node or a failing peer
// fails the calling test (ADD_FAILURE) and returns "".
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

namespace attnscope::testing {

inline std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string run_node_peer(const std::filesystem::path& script, const std::string& arguments,
                                 const std::vector<std::string>& texts) {
  if (std::system("command -v node >/dev/null 2>&1") != 0) {
    ADD_FAILURE() << "node is not installed: the tokenizer peer tests need nodejs and npm (scripts/setup.sh)";
    return "";
  }
  // Per process: ctest runs the peer tests in parallel, and a shared name let one overwrite another's input.
  const std::string pid = std::to_string(::getpid());
  const std::filesystem::path in = std::filesystem::path(::testing::TempDir()) / ("attnscope_peer_in." + pid + ".json");
  const std::filesystem::path err = std::filesystem::path(::testing::TempDir()) / ("attnscope_peer_err." + pid + ".txt");
  std::ofstream(in, std::ios::binary) << nlohmann::json(texts).dump();
  const std::string cmd = "node '" + script.string() + "' " + arguments + " < '" + in.string() + "' 2> '" + err.string() + "'";
  std::string output;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[65536];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) output.append(buf, n);
    if (pclose(p) != 0) {
      ADD_FAILURE() << "the peer failed: " << cmd << "\n" << read_all(err);
      return "";
    }
  }
  std::error_code ignored;
  std::filesystem::remove(in, ignored);
  std::filesystem::remove(err, ignored);
  return output;
}

inline std::string show_ids(const std::vector<int64_t>& ids) {
  std::string s;
  for (auto id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
  return "[" + s + "]";
}

}  // namespace attnscope::testing
