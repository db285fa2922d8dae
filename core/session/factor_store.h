#pragma once
// Map factors and overviews in a session file (docs/session-format.md, /factors): one group
// per mixer, /factors/layer_NNN/<mixer>, with attributes form, heads, groups,
// dim (and scale for softmax) and the vectors as float32 (float64 for the
// cumulative log decay). Reading checks every shape against the model and
// prompt first: a stranger's file may declare anything.
#include <filesystem>
#include <string>

#include "core/session/hdf5_handle.h"
#include "core/session/map_factors.h"
#include "core/session/session_data.h"

namespace attnscope::session {

// Writes `f` into the (new, empty) group `group`.
void write_factor_group(hid_t group, const MapFactors& f);

// Checks the group against `mixer` and the prompt length without reading the
// vectors; throws attnscope::Error ("... damaged session") naming `where`.
// Returns the factors' shape (form, heads, groups, length, dim, scale) with empty vectors.
MapFactors check_factor_group(hid_t group, const std::string& where, const MixerRecord& mixer, int64_t length,
                              const std::filesystem::path& file);

// Checks a group as check_factor_group does, then reads its vectors.
MapFactors read_factor_group(hid_t group, const std::string& where, const MixerRecord& mixer, int64_t length,
                             const std::filesystem::path& file);

// Overviews (/overview/layer_NNN/<mixer>): [heads, n, n] float32, n at most
// the prompt's length and kMaxOverviewSize, each cell the largest |weight| of
// its block of the map (sign kept); deflated.
inline constexpr int64_t kMaxOverviewSize = 1024;
void write_overview_dataset(hid_t group, const std::string& name, const float* values, int heads, int size);
// The overview's n, after checking it against the mixer and prompt.
int check_overview_dataset(hid_t group, const std::string& name, const std::string& where, const MixerRecord& mixer,
                           int64_t length, const std::filesystem::path& file);

}  // namespace attnscope::session
