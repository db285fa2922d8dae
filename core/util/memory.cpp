#include "core/util/memory.h"

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>

#include "core/util/error.h"

namespace attnscope {
namespace {

uint64_t meminfo_available() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return std::numeric_limits<uint64_t>::max();
}

// Current virtual size and data size of this process, for the rlimit headroom.
uint64_t status_bytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) {
      std::istringstream s(line.substr(field.size() + 1));
      uint64_t kb = 0;
      s >> kb;
      return kb * 1024;
    }
  return 0;
}

uint64_t rlimit_headroom(int resource, const std::string& field) {
  rlimit r{};
  if (getrlimit(resource, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return std::numeric_limits<uint64_t>::max();
  const uint64_t used = status_bytes(field);
  return r.rlim_cur > used ? r.rlim_cur - used : 0;
}

uint64_t cgroup_headroom() {
  std::ifstream max_in("/sys/fs/cgroup/memory.max"), cur_in("/sys/fs/cgroup/memory.current");
  std::string max_text;
  uint64_t current = 0;
  if (!(max_in >> max_text) || max_text == "max" || !(cur_in >> current)) return std::numeric_limits<uint64_t>::max();
  const uint64_t limit = std::strtoull(max_text.c_str(), nullptr, 10);
  return limit > current ? limit - current : 0;
}

}  // namespace

uint64_t available_memory_bytes() {
  if (const char* forced = std::getenv("ATTNSCOPE_MEMORY_LIMIT"); forced && *forced)
    return std::strtoull(forced, nullptr, 10);
  return std::min({meminfo_available(), rlimit_headroom(RLIMIT_AS, "VmSize"), rlimit_headroom(RLIMIT_DATA, "VmData"),
                   cgroup_headroom()});
}

std::string format_bytes(double bytes) {
  char buf[32];
  if (bytes >= 1e9) std::snprintf(buf, sizeof buf, "%.1f GB", bytes / 1e9);
  else if (bytes >= 1e6) std::snprintf(buf, sizeof buf, "%.0f MB", bytes / 1e6);
  else std::snprintf(buf, sizeof buf, "%.0f kB", bytes / 1e3);
  return buf;
}

void require_memory(double need, const std::string& what, const std::string& hint) {
  const uint64_t available = available_memory_bytes();
  if (need <= static_cast<double>(available)) return;
  throw Error(what + " needs about " + format_bytes(need) + " of memory but only " +
              format_bytes(static_cast<double>(available)) + " is available" + (hint.empty() ? "" : ": " + hint));
}

}  // namespace attnscope
