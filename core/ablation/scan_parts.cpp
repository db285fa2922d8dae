#include "core/ablation/scan_parts.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

#include "core/util/error.h"
#include "core/util/numbers.h"

namespace attnscope::scan_parts {
namespace {

constexpr const char* kPartTitle = "# attnscope scan part ";  // "<i> of <N>"
constexpr const char* kProgressTitle = "# attnscope scan progress";

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      lines.push_back(text.substr(start));  // no final newline: a torn last line
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, sep)) out.push_back(item);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

bool is_number(const std::string& s) {
  if (s == "nan") return true;
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

// "-1", "3" or "3.attn": the row label `scan` writes.
// Layers and heads above this are not a model's: a hostile CSV must not make
// the figure allocate tables by them.
constexpr int kMaxIndex = 1 << 16;

bool is_row_label(const std::string& s) {
  const std::string layer = s.substr(0, s.find('.'));
  const auto v = parse_int(layer);
  return v && *v >= -1 && *v < kMaxIndex && (layer.size() == s.size() || s.size() > layer.size() + 1);
}

// A row of six fields in the header's order, numbers where numbers belong.
bool is_scan_row(const std::string& line) {
  const auto f = split(line, ',');
  const auto head = f.size() == 6 ? parse_int(f[1]) : std::nullopt;
  return f.size() == 6 && is_row_label(f[0]) && head && *head >= -1 && *head < kMaxIndex && !f[2].empty() && is_number(f[3]) &&
         is_number(f[4]) && is_number(f[5]);
}

// "i of N" -> (i, N).
bool parse_shard_words(const std::string& s, int& index, int& count) {
  const auto of = s.find(" of ");
  if (of == std::string::npos) return false;
  const auto i = parse_int(s.substr(0, of)), n = parse_int(s.substr(of + 4));
  if (!i || !n || *n < 1 || *i < 0 || *i >= *n) return false;
  index = static_cast<int>(*i), count = static_cast<int>(*n);
  return true;
}

// The first parameter two scans disagree on, as "examples 50 vs 300".
std::string first_difference(const std::string& a, const std::string& b) {
  std::map<std::string, std::string> pa, pb;
  for (const auto* p : {&a, &b})
    for (const auto& item : split(*p, ' ')) {
      const auto eq = item.find('=');
      (p == &a ? pa : pb)[item.substr(0, eq)] = eq == std::string::npos ? "" : item.substr(eq + 1);
    }
  for (const auto& [key, value] : pa) {
    const auto it = pb.find(key);
    const std::string other = it == pb.end() ? "(none)" : it->second;
    if (other != value) return key + " " + value + " vs " + other;
  }
  for (const auto& [key, value] : pb)
    if (!pa.count(key)) return key + " (none) vs " + value;
  return "their parameters";
}

std::string shard_name(int index, int count) { return std::to_string(index) + " of " + std::to_string(count); }

}  // namespace

int part_row_count(const PartInfo& info) {
  const int i = info.shard_index, n = info.shard_count, t = info.conditions;
  return (t > i ? (t - i + n - 1) / n : 0) + (i == 0 ? 1 : 0);
}

std::string whole_scan_csv(const std::vector<std::string>& rows) {
  std::string text = std::string(kCsvHeader) + "\n";
  for (const auto& row : rows) text += row + "\n";
  return text;
}

std::string part_csv(const PartInfo& info, const std::vector<std::string>& rows) {
  std::string text = kPartTitle + shard_name(info.shard_index, info.shard_count) + "\n";
  text += "# scan: " + info.scan + "\n";
  text += "# conditions: " + std::to_string(info.conditions) + " digest " + info.conditions_digest + " (this part: k mod " +
          std::to_string(info.shard_count) + " = " + std::to_string(info.shard_index) +
          (info.shard_index == 0 ? ", and the intact row" : "") + ")\n";
  text += "# checkpoint: " + info.checkpoint + "\n";
  text += "# device: " + info.device + "\n";
  text += whole_scan_csv(rows);
  text += "# complete: " + std::to_string(rows.size()) + " rows\n";
  return text;
}

Part read_part(const std::string& file, const std::string& text) {
  Part part;
  part.file = file;
  const auto lines = split_lines(text);
  auto& info = part.info;
  if (lines.empty() || !starts_with(lines[0], kPartTitle) ||
      !parse_shard_words(lines[0].substr(std::string(kPartTitle).size()), info.shard_index, info.shard_count)) {
    if (!lines.empty() && lines[0] == kCsvHeader)
      fail_file(file, "is a whole scan's CSV (or a part written before parts said what they are), not a part: parts "
                      "come from scan --shard i/N --csv; rerun the shards to merge them");
    fail_file(file, "is not a part of a sharded attnscope scan (its first line is not '# attnscope scan part i of N')");
  }
  size_t at = 1;
  bool have_conditions = false;
  for (; at < lines.size() && starts_with(lines[at], "# "); ++at) {
    const std::string& line = lines[at];
    const auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    const std::string key = line.substr(2, colon - 2), value = line.substr(colon + 2);
    if (key == "scan") info.scan = value;
    if (key == "checkpoint") info.checkpoint = value;
    if (key == "device") info.device = value;
    if (key == "conditions") {
      // "<count> digest <hex> (...)"
      const auto words = split(value, ' ');
      const auto n = words.empty() ? std::nullopt : parse_int(words[0]);
      if (n && *n >= 0 && words.size() >= 3 && words[1] == "digest" && !words[2].empty()) {
        info.conditions = static_cast<int>(*n);
        info.conditions_digest = words[2];
        have_conditions = true;
      }
    }
  }
  if (info.scan.empty() || !have_conditions)
    fail_file(file, "is damaged: its heading lacks the scan's parameters or its condition count");
  if (at >= lines.size() || lines[at] != kCsvHeader)
    fail_file(file, "is damaged: the line after its heading is not the CSV header '" + std::string(kCsvHeader) + "'");
  const std::string complete = "# complete: ";
  size_t end = at + 1;
  while (end < lines.size() && !starts_with(lines[end], complete)) ++end;
  const std::string which = "shard " + shard_name(info.shard_index, info.shard_count);
  if (end == lines.size() || text.back() != '\n')
    fail_file(file, "is incomplete: " + which + " ends without its completion line (the shard was stopped, is "
                    "still running, or the file was cut); rerun it, it resumes from its progress file");
  for (size_t i = at + 1; i < end; ++i) {
    if (!is_scan_row(lines[i]))
      fail_file(file, "is damaged: line " + std::to_string(i + 1) + " is not a scan row: '" + lines[i].substr(0, 80) + "'");
    part.rows.push_back(lines[i]);
  }
  const auto said = parse_int(lines[end].substr(complete.size(), lines[end].find(" rows") - complete.size()));
  if (!said || *said != static_cast<int64_t>(part.rows.size()) || lines[end] != complete + std::to_string(*said) + " rows")
    fail_file(file, "is damaged: its completion line '" + lines[end] + "' does not match its " +
                        std::to_string(part.rows.size()) + " rows");
  if (end + 1 != lines.size()) fail_file(file, "is damaged: it goes on after its completion line");
  if (static_cast<int>(part.rows.size()) != part_row_count(info))
    fail_file(file, "is damaged: it holds " + std::to_string(part.rows.size()) + " rows; " + which + " of a scan of " +
                        std::to_string(info.conditions) + " conditions holds " + std::to_string(part_row_count(info)));
  if (info.shard_index == 0 && !starts_with(part.rows.front(), "-1,-1,none,"))
    fail_file(file, "is damaged: shard 0's first row is not the intact row");
  return part;
}

std::vector<std::string> merge_parts(const std::vector<Part>& parts) {
  if (parts.empty()) throw Error("give the parts to merge");
  const Part& first = parts.front();
  for (const auto& p : parts) {
    if (p.info.scan != first.info.scan)
      throw Error(first.file + " and " + p.file + " are parts of different scans (" +
                  first_difference(first.info.scan, p.info.scan) + "): merge the parts of one scan (an old scan's "
                  "part left in the folder?)");
    if (p.info.shard_count == first.info.shard_count && p.info.conditions_digest != first.info.conditions_digest)
      throw Error(first.file + " and " + p.file + " scanned different conditions (digests " + first.info.conditions_digest +
                  " and " + p.info.conditions_digest + "): their intact passes ranked the heads otherwise (another "
                  "device or dtype?); rerun every shard on one kind of node");
    if (p.info.shard_count != first.info.shard_count || p.info.conditions != first.info.conditions)
      throw Error(first.file + " is shard " + shard_name(first.info.shard_index, first.info.shard_count) + " and " +
                  p.file + " is shard " + shard_name(p.info.shard_index, p.info.shard_count) +
                  ": parts of different scans (an old scan's part left in the folder?)");
  }
  const int n = first.info.shard_count;
  std::vector<const Part*> by_shard(n, nullptr);
  for (const auto& p : parts) {
    auto& slot = by_shard[p.info.shard_index];
    if (slot)
      throw Error(slot->file + " and " + p.file + " are both shard " + shard_name(p.info.shard_index, n) +
                  ": give each shard once");
    slot = &p;
  }
  std::vector<int> missing, present;
  for (int i = 0; i < n; ++i) (by_shard[i] ? present : missing).push_back(i);
  if (!missing.empty()) {
    const auto shards = [](const std::vector<int>& v) {
      std::string s = v.size() == 1 ? "shard " : "shards ";
      for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
      return s;
    };
    throw Error(shards(missing) + " of " + std::to_string(n) + (missing.size() == 1 ? " is" : " are") +
                " missing (the parts given are " + shards(present) + "): rerun with --shard i/" + std::to_string(n) +
                " and merge all " + std::to_string(n));
  }
  // Condition k is row k / N of shard k mod N (after shard 0's intact row).
  std::vector<std::string> rows = {by_shard[0]->rows.front()};
  for (int k = 0; k < first.info.conditions; ++k) {
    const Part& p = *by_shard[k % n];
    rows.push_back(p.rows[k / n + (k % n == 0 ? 1 : 0)]);
  }
  return rows;
}

std::string progress_text(const PartInfo& info, const ScanProgress& progress) {
  std::string text = std::string(kProgressTitle) + "\n# scan: " + info.scan + "\n# shard: " +
                     shard_name(info.shard_index, info.shard_count) + "\n# conditions digest: " +
                     progress.conditions_digest + "\nexamples_done " + std::to_string(progress.examples_done) + "\n";
  char buf[64];
  for (const auto& t : progress.tallies) {
    std::snprintf(buf, sizeof buf, "%.17g", t.logprob);  // 17 digits: the double back exactly
    text += "tally " + std::to_string(t.correct) + " " + buf + "\n";
  }
  return text + "# end\n";
}

std::optional<ScanProgress> read_progress(const std::string& text, const PartInfo& expected, std::string* why_not) {
  const auto fail = [&](const std::string& why) -> std::optional<ScanProgress> {
    if (why_not) *why_not = why;
    return std::nullopt;
  };
  const auto lines = split_lines(text);
  if (lines.size() < 6 || lines[0] != kProgressTitle || lines.back() != "# end" || text.back() != '\n')
    return fail("it is damaged");
  if (lines[1] != "# scan: " + expected.scan || lines[2] != "# shard: " + shard_name(expected.shard_index, expected.shard_count))
    return fail("it belongs to another scan or shard");
  ScanProgress progress;
  const std::string digest = "# conditions digest: ";
  if (!starts_with(lines[3], digest)) return fail("it is damaged");
  progress.conditions_digest = lines[3].substr(digest.size());
  const auto done = starts_with(lines[4], "examples_done ") ? parse_int(lines[4].substr(14)) : std::nullopt;
  if (!done || *done < 0) return fail("it is damaged");
  progress.examples_done = static_cast<int>(*done);
  for (size_t i = 5; i + 1 < lines.size(); ++i) {
    const auto f = split(lines[i], ' ');
    const auto correct = f.size() == 3 && f[0] == "tally" ? parse_int(f[1]) : std::nullopt;
    if (!correct || *correct < 0 || *correct > progress.examples_done || !is_number(f[2]) || f[2] == "nan")
      return fail("it is damaged");
    progress.tallies.push_back({static_cast<int>(*correct), std::strtod(f[2].c_str(), nullptr)});
  }
  return progress;
}

}  // namespace attnscope::scan_parts
