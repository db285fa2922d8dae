#pragma once
// HDF5 keeps variable-length strings (a session's names, tokens, config) in
// "global heap" collections. HDF5 1.10 trusts the sizes written there: an
// object that claims more bytes than its collection holds makes H5Aread copy
// memory past its buffer (found by fuzz_session_reader; AddressSanitizer
// reports a heap over-read). The session check helper looks at every
// collection, and every string's reference into one, before HDF5 reads any string.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace attnscope::session {

// Throws attnscope::Error ("damaged session: ...") when a global heap
// collection in the file has an object that runs past its end, or when one
// of the variable-length references stored at `references` (each 16 bytes:
// length u32, collection address u64, object index u32; found where the
// object headers say strings are, object_header_check.h) names an object
// its collection lacks, or one longer than the length HDF5 sizes its buffer
// by. Collections are found by their signature and header (version 1,
// reserved bytes zero, at least 4096 bytes, inside the file), so map data
// that happens to hold the signature's bytes is not taken for one.
void check_global_heaps(const std::filesystem::path& path, const std::vector<uint64_t>& references);

}  // namespace attnscope::session
