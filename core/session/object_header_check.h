#pragma once
// HDF5 1.10 decodes an object header's messages trusting the sizes written
// inside them: an attribute message whose name is not terminated within it
// is copied with strdup past the message (found by fuzz_session_reader,
// AddressSanitizer in H5O attribute decoding). The session check helper
// walks every object header first, with bounds, before HDF5 reads any
// attribute: each message must fit its header chunk, continuation chunks
// must lie in the file, and an attribute's name, datatype and dataspace
// must fit its message with the name terminated. Version 2 headers carry a
// checksum HDF5 verifies, and are left to it.
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <vector>

namespace attnscope::session {

// Throws attnscope::Error ("damaged session: ...") naming the header's byte
// offset. `file` is open; its links give the headers' addresses (reading
// links does not decode attributes). Returns the file offsets of every
// string reference the headers hold or point to.
std::vector<uint64_t> check_object_headers(hid_t file, const std::filesystem::path& path);

}  // namespace attnscope::session
