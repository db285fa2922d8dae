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
  // level 0 here means Huffman coding only: still a zlib stream any inflate
  // reads, several times faster than level 1, and nearly as small on
  // shuffled float16 maps (their exponent bytes are what compresses).
  z_stream z{};
  const int strategy = level == 0 ? Z_HUFFMAN_ONLY : Z_DEFAULT_STRATEGY;
  if (deflateInit2(&z, level == 0 ? 1 : level, Z_DEFLATED, 15, 8, strategy) != Z_OK) throw Error("deflate failed");
  std::vector<uint8_t> out(deflateBound(&z, static_cast<uLong>(size)));
  z.next_in = const_cast<uint8_t*>(in);
  z.avail_in = static_cast<uInt>(size);
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  const int status = deflate(&z, Z_FINISH);
  const size_t written = z.total_out;
  deflateEnd(&z);
  if (status != Z_STREAM_END) throw Error("deflate failed");
  out.resize(written);
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
