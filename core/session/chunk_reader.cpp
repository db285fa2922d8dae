#include "core/session/chunk_reader.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "core/session/chunk_codec.h"
#include "core/session/half_float.h"
#include "core/session/hdf5_handle.h"
#include "core/util/error.h"
#include "core/util/parallel.h"
#include "core/util/huge_pages.h"

namespace attnscope::session {
namespace {

struct Layout {
  hsize_t dims[3]{}, chunk[3]{};
  size_t element_size = 0;
  bool shuffle = false, deflate = false;
};

// false for datasets that are not chunked (read by H5Dread). Chunked ones
// must be as the writer makes them, or HDF5 1.10 itself would read them: it
// copies past its buffers when a crafted file's chunks do not fit the data
// (found by fuzz_session_reader), so they are refused instead.
bool chunked_layout(hid_t dataset, Layout& layout, const std::filesystem::path& file) {
  H5Id dcpl(H5Dget_create_plist(dataset));
  if (H5Pget_layout(dcpl) != H5D_CHUNKED) return false;
  const std::string refused = "a map's chunk layout is not one AttnScope writes: damaged session";
  H5Id space(H5Dget_space(dataset));
  if (H5Pget_chunk(dcpl, 3, layout.chunk) != 3 || H5Sget_simple_extent_dims(space, layout.dims, nullptr) != 3 ||
      layout.chunk[0] != 1 || layout.chunk[1] < 1 || layout.chunk[2] < 1 || layout.chunk[1] > 8192 ||
      layout.chunk[2] > 8192)
    fail_file(file, refused);
  const int filters = H5Pget_nfilters(dcpl);
  for (int i = 0; i < filters; ++i) {
    unsigned flags = 0, config = 0;
    size_t n = 0;
    const H5Z_filter_t f = H5Pget_filter2(dcpl, static_cast<unsigned>(i), &flags, &n, nullptr, 0, nullptr, &config);
    if (f == H5Z_FILTER_SHUFFLE && i == 0) layout.shuffle = true;
    else if (f == H5Z_FILTER_DEFLATE && i == filters - 1) layout.deflate = true;
    else fail_file(file, refused);
  }
  H5Id type(H5Dget_type(dataset));
  layout.element_size = H5Tget_size(type);
  if (H5Tget_class(type) != H5T_FLOAT || (layout.element_size != 2 && layout.element_size != 4)) fail_file(file, refused);
  return true;
}

struct RawChunk {
  hsize_t row0 = 0, col0 = 0;  // chunk origin
  std::vector<uint8_t> bytes;  // as stored; empty: never written (all zeros)
  uint32_t filter_mask = 0;
};

}  // namespace

void check_map_storage(hid_t dataset, const std::filesystem::path& file) {
  H5Id dcpl(H5Dget_create_plist(dataset));
  if (H5Pget_layout(dcpl) == H5D_COMPACT) fail_file(file, "a map is stored compact, which AttnScope never writes: damaged session");
  Layout layout;
  chunked_layout(dataset, layout, file);
}

bool read_rect_by_chunks(hid_t dataset, int head, int64_t row0, int64_t col0, int64_t rows, int64_t cols,
                         std::vector<float>& out, const std::filesystem::path& file) {
  Layout layout;
  if (!chunked_layout(dataset, layout, file)) return false;
  const hsize_t T0 = layout.chunk[1], T1 = layout.chunk[2];
  // The writer's tiles are 256 x 256; a crafted file may declare huge ones.
  const size_t chunk_bytes = T0 * T1 * layout.element_size;
  if (T0 > 8192 || T1 > 8192) fail_file(file, "a map's chunks are " + std::to_string(T0) + " x " + std::to_string(T1) +
                                                  ": not written by AttnScope, or damaged");
  std::vector<RawChunk> chunks;
  for (hsize_t r = static_cast<hsize_t>(row0) / T0 * T0; r < static_cast<hsize_t>(row0 + rows); r += T0)
    for (hsize_t c = static_cast<hsize_t>(col0) / T1 * T1; c < static_cast<hsize_t>(col0 + cols); c += T1) {
      RawChunk chunk{r, c, {}, 0};
      const hsize_t offset[3] = {static_cast<hsize_t>(head), r, c};
      hsize_t stored = 0;
      if (H5Dget_chunk_storage_size(dataset, offset, &stored) >= 0 && stored > 0) {
        // deflate never grows data by more than a few bytes per 16 kB block
        if (stored > chunk_bytes + chunk_bytes / 64 + 1024) fail_file(file, "a compressed chunk of a map is damaged");
        chunk.bytes.resize(stored);
        check_status(H5Dread_chunk(dataset, H5P_DEFAULT, offset, &chunk.filter_mask, chunk.bytes.data()), file,
                     "cannot read a chunk of a map (damaged?)");
      }
      chunks.push_back(std::move(chunk));
    }

  out = huge_page_vector<float>(static_cast<size_t>(rows * cols));
  std::atomic<size_t> next{0};
  std::atomic<bool> damaged{false};
  auto work = [&] {
    std::vector<uint8_t> plain(chunk_bytes);
    for (size_t i = next++; i < chunks.size(); i = next++) {
      const RawChunk& c = chunks[i];
      if (c.bytes.empty()) continue;
      try {
        // Filters run in reverse on read: inflate, then unshuffle (mask bit set = filter skipped).
        std::vector<uint8_t> data = c.bytes;
        if (layout.deflate && !(c.filter_mask & 2u)) data = inflate_bytes(data.data(), data.size(), chunk_bytes);
        if (data.size() != chunk_bytes) throw Error("chunk size");
        if (layout.shuffle && !(c.filter_mask & 1u)) unshuffle_bytes(data.data(), plain.data(), T0 * T1, layout.element_size);
        else plain.swap(data);
        const int64_t r_begin = std::max<int64_t>(row0, c.row0), r_end = std::min<int64_t>(row0 + rows, c.row0 + T0);
        const int64_t c_begin = std::max<int64_t>(col0, c.col0), c_end = std::min<int64_t>(col0 + cols, c.col0 + T1);
        for (int64_t r = r_begin; r < r_end; ++r) {
          const size_t src = ((r - c.row0) * T1 + (c_begin - c.col0)) * layout.element_size;
          float* dst = out.data() + (r - row0) * cols + (c_begin - col0);
          if (layout.element_size == 2) halves_to_floats(reinterpret_cast<const uint16_t*>(plain.data() + src), dst, c_end - c_begin);
          else std::memcpy(dst, plain.data() + src, (c_end - c_begin) * 4);
        }
      } catch (const Error&) {
        damaged = true;  // other exceptions (out of memory) reach the caller as they are
      }
    }
  };
  const int64_t threads = std::clamp<int64_t>(static_cast<int64_t>(chunks.size()), 1, machine_cores());
  run_in_parallel(static_cast<int>(threads), work);
  if (damaged) fail_file(file, "a compressed chunk of a map is damaged");
  return true;
}

}  // namespace attnscope::session
