#pragma once
// HDF5's shuffle + deflate filters, done by us so chunks compress on every
// core before HDF5 writes them with H5Dwrite_chunk (HDF5 alone compresses on
// the calling thread only). Any HDF5 reader, h5py included, decodes them with
// its standard filters.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace attnscope::session {

// Byte shuffle of `n` elements of `element_size` bytes, as H5Z_FILTER_SHUFFLE does.
void shuffle_bytes(const uint8_t* in, uint8_t* out, size_t n, size_t element_size);
void unshuffle_bytes(const uint8_t* in, uint8_t* out, size_t n, size_t element_size);
// zlib stream, as H5Z_FILTER_DEFLATE writes it.
std::vector<uint8_t> deflate_bytes(const uint8_t* in, size_t size, int level);
std::vector<uint8_t> inflate_bytes(const uint8_t* in, size_t size, size_t expected_size);  // throws on damage

}  // namespace attnscope::session
