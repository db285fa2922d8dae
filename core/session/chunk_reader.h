#pragma once
// Reads part of one head of a [heads, L, L] map dataset by fetching its raw
// chunks (H5Dread_chunk, fast under HDF5's global lock) and decoding them on
// every core. Handles the layout our writer makes (chunks (1, T, T), shuffle
// and/or deflate); returns false for any other so the caller falls back to H5Dread.
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <vector>

namespace attnscope::session {

bool read_rect_by_chunks(hid_t dataset, int head, int64_t row0, int64_t col0, int64_t rows, int64_t cols,
                         std::vector<float>& out, const std::filesystem::path& file);

}  // namespace attnscope::session
