// libFuzzer target for opening sessions from strangers: the bytes are a
// session file. AttnScope first reads it in a helper process
// (core/session/checked_open.h), which may refuse it, crash or hang (HDF5's
// own parser does all three on crafted files); every such outcome must come
// back as attnscope::Error. A file the helper accepts must then open here
// and give every map, ablation map and metric with the sizes it declares.
// (Files live on tmpfs: HDF5 opens by path.)
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/session/checked_open.h"
#include "core/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/dev/shm/attnscope-fuzz-session-" + std::to_string(::getpid()) + ".h5";
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(data, 1, size, f);
    std::fclose(f);
  } else {
    return 0;
  }
  try {
    const auto reader = attnscope::session::open_session_checked(path);
    const auto& s = *reader;
    if (s.length() < 1) __builtin_trap();
    if (s.length() > 512) return 0;  // accepted, but too large to read whole in a fuzz iteration
    for (int row : s.rows_with_maps())
      for (int h = 0; h < s.mixer(row).heads && h < 4; ++h)
        if (s.read_head(row, h).size() != static_cast<size_t>(s.length() * s.length())) __builtin_trap();
    for (size_t a = 0; a < s.ablations().size(); ++a)
      for (int row : s.ablations()[a].map_rows) (void)s.read_ablation_head(static_cast<int>(a), row, 0);
    for (const auto& name : s.metric_names()) (void)s.metric(name);
  } catch (const attnscope::Error&) {
  }
  return 0;
}
