#include "core/session/structure_check.h"

#include <string>

#include "core/session/hdf5_handle.h"
#include "core/util/error.h"

namespace attnscope::session {
namespace {

struct Visit {
  const std::filesystem::path* path;
  std::string problem;
  size_t links = 0;
};

// Sessions hold a few objects per layer; a million is a crafted file.
constexpr size_t kMaxLinks = 1000000;

std::string dataset_problem(hid_t dataset) {
  H5Id dcpl(H5Dget_create_plist(dataset));
  if (!dcpl.valid()) return "has no readable storage description";
  const H5D_layout_t layout = H5Pget_layout(dcpl);
  if (layout != H5D_CONTIGUOUS && layout != H5D_CHUNKED && layout != H5D_COMPACT)
    return "is a virtual dataset (its data would come from other files)";
  if (H5Pget_external_count(dcpl) != 0) return "keeps its data in an external file";
  const int filters = H5Pget_nfilters(dcpl);
  for (int i = 0; i < filters; ++i) {
    unsigned flags = 0, config = 0;
    size_t n = 0;
    const H5Z_filter_t f = H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &n, nullptr, 0, nullptr, &config);
    if (f != H5Z_FILTER_DEFLATE && f != H5Z_FILTER_SHUFFLE && f != H5Z_FILTER_FLETCHER32)
      return "uses a compression filter (" + std::to_string(f) + ") that sessions never use";
  }
  return {};
}

herr_t visit_link(hid_t group, const char* name, const H5L_info_t* info, void* data) {
  auto* v = static_cast<Visit*>(data);
  if (++v->links > kMaxLinks) {
    v->problem = "holds more than a million objects: not an AttnScope session";
    return 1;
  }
  if (info->type != H5L_TYPE_HARD) {
    v->problem = std::string("holds a ") + (info->type == H5L_TYPE_EXTERNAL ? "link to another file" : "soft link") +
                 " at '" + name + "'; sessions hold none";
    return 1;
  }
  H5Id object(H5Oopen(group, name, H5P_DEFAULT));
  if (!object.valid()) {
    v->problem = "object '" + std::string(name) + "' cannot be opened (damaged?)";
    return 1;
  }
  if (H5Iget_type(object) == H5I_DATASET) {
    const std::string problem = dataset_problem(object);
    if (!problem.empty()) {
      v->problem = "dataset '" + std::string(name) + "' " + problem;
      return 1;
    }
  }
  return 0;
}

}  // namespace

namespace {
herr_t walk_chunks(hid_t group, const char* name, const H5L_info_t*, void* data) {
  auto* problem = static_cast<std::string*>(data);
  H5Id object(H5Oopen(group, name, H5P_DEFAULT));
  if (!object.valid() || H5Iget_type(object) != H5I_DATASET) return 0;
  H5Id dcpl(H5Dget_create_plist(object));
  if (H5Pget_layout(dcpl) != H5D_CHUNKED) return 0;
  H5Id space(H5Dget_space(object));
  hsize_t chunks = 0;
  if (H5Dget_num_chunks(object, space, &chunks) < 0) {
    *problem = "the chunk index of '" + std::string(name) + "' cannot be read";
    return 1;
  }
  for (hsize_t i = 0; i < chunks; ++i) {
    hsize_t offset[8] = {};
    unsigned mask = 0;
    haddr_t address = 0;
    hsize_t size = 0;
    if (H5Dget_chunk_info(object, space, i, offset, &mask, &address, &size) < 0) {
      *problem = "chunk " + std::to_string(i) + " of '" + std::string(name) + "' cannot be located";
      return 1;
    }
  }
  return 0;
}
}  // namespace

void walk_chunk_indexes(hid_t file, const std::filesystem::path& path) {
  std::string problem;
  const herr_t rc = H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, walk_chunks, &problem);
  if (!problem.empty()) fail_file(path, problem + ": damaged session");
  if (rc < 0) fail_file(path, "its structure cannot be read (truncated or damaged?)");
}

void check_session_structure(hid_t file, const std::filesystem::path& path) {
  Visit v{&path, {}, 0};
  const herr_t rc = H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, visit_link, &v);
  if (!v.problem.empty()) fail_file(path, v.problem);
  if (rc < 0) fail_file(path, "its structure cannot be read (truncated or damaged?)");
}

}  // namespace attnscope::session
