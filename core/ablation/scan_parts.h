#pragma once
// The files of a scan split over machines (docs/scaling.md). A whole scan
// is a plain CSV; a part (`scan --shard i/N --csv`) is the same CSV between
// comment lines that say what it is: the scan's parameters, shard i of N,
// how many conditions the whole scan has, and, last, a completion line. The
// progress file beside a part being written lets a stopped shard resume.
// `merge` reads parts back and refuses anything that is not all N shards of
// one scan, complete, and writes the rows in the order one process would.
// Text only: no LibTorch.
#include <optional>
#include <string>
#include <vector>

#include "core/ablation/scan_progress.h"

namespace attnscope::scan_parts {

constexpr const char* kCsvHeader = "layer,head,mode,accuracy,gather_score,aggregate_score";

// What a part belongs to and which part it is.
struct PartInfo {
  // Every parameter that decides the rows, as space-separated key=value
  // pairs (attnscope version, checkpoint fingerprint, task, examples, seed,
  // heads, modes, keep sets, random controls, dtype): merge compares them.
  std::string scan;
  std::string checkpoint;  // the folder as given: shown, not compared (nodes stage models in different places)
  std::string device;      // what the shard ran on: shown, not compared
  int shard_index = 0;
  int shard_count = 1;
  int conditions = 0;  // in the whole scan (the intact row is not one)
  std::string conditions_digest;  // of the whole scan's ordered condition list: every shard's must agree
};

// The rows shard i of N holds: its conditions, and the intact row in shard 0.
int part_row_count(const PartInfo& info);

// A whole scan: the header and its rows.
std::string whole_scan_csv(const std::vector<std::string>& rows);
// One part: what it is, the header, its rows, and the completion line.
std::string part_csv(const PartInfo& info, const std::vector<std::string>& rows);

struct Part {
  std::string file;
  PartInfo info;
  std::vector<std::string> rows;
};
// Reads a part; throws attnscope::Error naming `file` when the text is not a
// part, is cut short (no completion line: still running, killed, truncated),
// holds a torn or foreign row, or holds more or fewer rows than its shard.
Part read_part(const std::string& file, const std::string& text);

// The rows of all N shards of one scan in the order a single process writes
// them (intact row, then condition 0, 1, ...). Throws attnscope::Error when
// the parts are of different scans, a shard is given twice, or one is missing.
std::vector<std::string> merge_parts(const std::vector<Part>& parts);

// The progress file of a part being written (kept beside it, removed when
// the part is complete).
std::string progress_text(const PartInfo& info, const ScanProgress& progress);
// The saved progress when `text` is the progress of this very scan and
// shard; otherwise nullopt and `why_not` says why (another scan, damaged).
std::optional<ScanProgress> read_progress(const std::string& text, const PartInfo& expected, std::string* why_not);

}  // namespace attnscope::scan_parts
