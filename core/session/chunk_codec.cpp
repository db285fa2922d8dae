#include "core/session/chunk_codec.h"

#include <zlib.h>

#include "core/util/error.h"

namespace attnscope::session {

void shuffle_bytes(const uint8_t* in, uint8_t* out, size_t n, size_t element_size) {
  for (size_t b = 0; b < element_size; ++b)
    for (size_t i = 0; i < n; ++i) out[b * n + i] = in[i * element_size + b];
}

void unshuffle_bytes(const uint8_t* in, uint8_t* out, size_t n, size_t element_size) {
  for (size_t b = 0; b < element_size; ++b)
    for (size_t i = 0; i < n; ++i) out[i * element_size + b] = in[b * n + i];
}

std::vector<uint8_t> deflate_bytes(const uint8_t* in, size_t size, int level) {
  uLongf bound = compressBound(static_cast<uLong>(size));
  std::vector<uint8_t> out(bound);
  if (compress2(out.data(), &bound, in, static_cast<uLong>(size), level) != Z_OK)
    throw Error("deflate failed");
  out.resize(bound);
  return out;
}

std::vector<uint8_t> inflate_bytes(const uint8_t* in, size_t size, size_t expected_size) {
  std::vector<uint8_t> out(expected_size);
  uLongf out_size = static_cast<uLongf>(expected_size);
  if (uncompress(out.data(), &out_size, in, static_cast<uLong>(size)) != Z_OK || out_size != expected_size)
    throw Error("a compressed chunk is damaged");
  return out;
}

}  // namespace attnscope::session
