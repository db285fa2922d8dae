#include "core/runtime/versions.h"

#include <hdf5.h>
#include <torch/version.h>

#include "core/runtime/device.h"

namespace attnscope {

RuntimeVersions runtime_versions() {
  RuntimeVersions v;
  v.libtorch = TORCH_VERSION;
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  v.hdf5 = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
  v.device = device_description(choose_device("auto"));
  return v;
}

}  // namespace attnscope
