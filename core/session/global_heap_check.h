#pragma once
// HDF5 keeps variable-length strings (a session's names, tokens, config) in
// "global heap" collections. HDF5 1.10 trusts the sizes written there: an
// object that claims more bytes than its collection holds makes H5Aread copy
// memory past its buffer (found by fuzz_session_reader; AddressSanitizer
// reports a heap over-read). The session check helper looks at every
// collection, and every reference to one, before HDF5 reads any string.
#include <filesystem>

namespace attnscope::session {

// Throws attnscope::Error ("damaged session: ...") when a global heap
// collection in the file has an object that runs past its end, or a string
// refers to an object its collection lacks or claims another length. Collections
// are found by their signature and header (version 1, reserved bytes zero,
// at least 4096 bytes, inside the file), so map data that happens to hold the
// signature's bytes is not taken for one.
void check_global_heaps(const std::filesystem::path& path);

}  // namespace attnscope::session
