#pragma once
// A session opened from a stranger (a course folder, a mailing list) may be
// crafted: links to other files, datasets whose bytes live in an external
// file (/etc/passwd rendered as a map), virtual datasets that gather other
// files, filters that make HDF5 load code. AttnScope's writer makes none of
// these; the reader accepts only what the writer makes, checked once over
// the whole file before anything is read.
#include <hdf5.h>

#include <filesystem>

namespace attnscope::session {

// Throws attnscope::Error naming the file and the object when any link is
// not a hard link, or any dataset is not stored inside the file
// (contiguous, chunked or compact, no external storage) with only the
// deflate, shuffle or fletcher32 filters.
void check_session_structure(hid_t file, const std::filesystem::path& path);

// Walks the chunk index of every dataset, as reading maps will: a damaged
// index fails here (or, inside HDF5, hangs or crashes: see checked_open.h).
void walk_chunk_indexes(hid_t file, const std::filesystem::path& path);

}  // namespace attnscope::session
