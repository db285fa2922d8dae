#pragma once
// Reads part of one head of a [heads, L, L] map dataset by fetching its raw
// chunks (H5Dread_chunk, fast under HDF5's global lock) and decoding them on
// every core. Handles the layout our writer makes (chunks (1, R, C), shuffle
// and/or deflate); returns false for datasets that are not chunked (the
// caller reads those with H5Dread) and refuses other chunked layouts.
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <vector>

namespace attnscope::session {

// Refuses (attnscope::Error) a map dataset whose storage the reader would
// leave to HDF5 with risk: compact storage, or chunks other than (1, R, C)
// with shuffle and deflate. Called when a session is opened.
void check_map_storage(hid_t dataset, const std::filesystem::path& file);

bool read_rect_by_chunks(hid_t dataset, int head, int64_t row0, int64_t col0, int64_t rows, int64_t cols,
                         std::vector<float>& out, const std::filesystem::path& file);

}  // namespace attnscope::session
