#pragma once
// Map factors and overviews in a session file (docs/session-format.md, /factors): one group
// per mixer, /factors/layer_NNN/<mixer>, with attributes form, heads, groups,
// dim (and scale for softmax) and the vectors as float32 (float64 for the
// cumulative log decay). Reading checks every shape against the model and
// prompt first: a stranger's file may declare anything.
#include <filesystem>
#include <string>
#include <vector>

#include "core/session/hdf5_handle.h"
#include "core/session/map_factors.h"
#include "core/session/session_data.h"

namespace attnscope::session {

// Writes `f` into the (new, empty) group `group`, with a softmax mixer's row
// normalisers [heads, L, 2] (row_log_normalisers of every head) when given:
// dataset row_normalisers, so a reader's first tile of a head costs only its cells.
void write_factor_group(hid_t group, const MapFactors& f, const std::vector<float>* row_normalisers = nullptr);

// Checks the group against `mixer` and the prompt length without reading the
// vectors; throws attnscope::Error ("... damaged session") naming `where`.
// Returns the factors' shape (form, heads, groups, length, dim, scale) with empty vectors.
MapFactors check_factor_group(hid_t group, const std::string& where, const MixerRecord& mixer, int64_t length,
                              const std::filesystem::path& file);

// Checks a group as check_factor_group does, then reads its vectors.
MapFactors read_factor_group(hid_t group, const std::string& where, const MixerRecord& mixer, int64_t length,
                             const std::filesystem::path& file);

// One head's stored row normalisers [2 * L] from a checked softmax factor
// group; empty when the group has none (they are optional). Non-finite
// values are refused as damage.
std::vector<float> read_row_normalisers(hid_t group, const std::string& where, int head, int64_t length,
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
