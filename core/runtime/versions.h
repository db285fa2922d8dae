#pragma once
// Versions of the libraries doing the work, and the device a run would use,
// for Help > About and bug reports. Plain strings: the window shows them
// without including LibTorch.
#include <string>

namespace attnscope {

struct RuntimeVersions {
  std::string libtorch;  // "2.0.1"
  std::string hdf5;      // "1.10.8"
  std::string device;    // what `--device auto` picks, e.g. "cpu (2 cores)"
};

RuntimeVersions runtime_versions();

}  // namespace attnscope
