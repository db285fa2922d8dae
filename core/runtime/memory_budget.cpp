#include "core/runtime/memory_budget.h"

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

double forward_working_bytes(const ModelInfo& info, const ForwardShape& s) {
  const double L = static_cast<double>(s.length), d = info.hidden_size, e = s.element_bytes;
  // Residual stream, the layer's projections and MLP (a generous 16 widths), kept residuals not counted.
  double bytes = 16 * L * d * e;
  double largest_layer = 0;
  for (const auto& layer : info.layers) {
    double work = 0;
    switch (layer.mixer) {
      case MixerKind::SoftmaxAttention:
      case MixerKind::RelaxedAttention:
        // float32 scores and probabilities, plus the captured copy.
        work = layer.heads * L * L * 4 * (s.capture ? 3 : 2);
        break;
      case MixerKind::Mamba2SSD:
        // The chunked scan is linear in L; its maps, when captured, are [heads, L, L] with a float64 decay block.
        work = s.capture ? layer.heads * L * L * 4 * 3 : 0;
        break;
      case MixerKind::Mamba1Channel:
        // The scan keeps [L, channels, state] three times (decays, inputs, states); captured maps
        // are [channels / group, L, L] plus blocks of at most 2^24 entries in float64.
        work = 3 * L * layer.heads * std::max<int64_t>(layer.state_size, 16) * 4 +
               (s.capture ? layer.heads / std::max(1, s.channel_group) * L * L * 4 + 3 * 8 * double(1 << 24) : 0);
        break;
      case MixerKind::Identity:
        work = s.capture ? layer.heads * L * L * 4 : 0;
        break;
    }
    largest_layer = std::max(largest_layer, work);
  }
  const double logits = (s.every_position ? L : 1) * static_cast<double>(info.vocab_size) * 4 * 2;
  return bytes + largest_layer + logits;
}

}  // namespace attnscope
