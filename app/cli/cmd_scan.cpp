// attnscope scan <checkpoint> --task NAME: the Gather-and-Aggregate ablation
// scan (core/ablation/head_scan.h) as a table on stdout and a CSV with one
// row per condition; attnscope merge joins the CSVs of a sharded scan.
#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "app/cli/args.h"
#include "app/cli/commands.h"
#include "app/cli/output_args.h"
#include "app/cli/scan_figure.h"
#include "app/cli/scan_plan.h"
#include "attnscope/version.h"
#include "core/ablation/head_scan.h"
#include "core/ablation/scan_parts.h"
#include "core/io/checkpoint_fingerprint.h"
#include "core/runtime/device.h"
#include "core/runtime/loaded_model.h"
#include "core/runtime/session_run.h"
#include "core/session/session_writer.h"
#include "core/tasks/scoring.h"
#include "core/tasks/task.h"
#include "core/util/atomic_output.h"
#include "core/util/error.h"
#include "core/util/input_file.h"
#include "core/util/numbers.h"

namespace attnscope::cli {
namespace {

std::string number(double v) {
  if (std::isnan(v)) return "nan";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::vector<AblationMode> parse_modes(const std::string& text) {
  std::vector<AblationMode> modes;
  std::stringstream s(text);
  std::string m;
  while (std::getline(s, m, ',')) modes.push_back(parse_ablation_mode(m));
  return modes;
}

// The layer column: the mixer row's label ("3", or "3.attn" in layers with several mixers), -1 for the intact row.
std::string row_label(const ScanCondition& c) { return c.row < 0 ? "-1" : c.label; }

std::string csv_line(const ScanRow& r) {
  return row_label(r.condition) + "," + std::to_string(r.condition.head) + "," + r.condition.mode + "," +
         number(r.accuracy) + "," + number(r.gather_score) + "," + number(r.aggregate_score);
}

// The head's write at the final position (head_scan.h), "" where unmeasured.
std::string write_text(const HeadScores& s, int row, int head) {
  if (row < 0 || head < 0 || static_cast<size_t>(row) >= s.writes.size() || static_cast<size_t>(head) >= s.writes[row].size())
    return "";
  return number(s.writes[row][head]) + (is_silent(s, row, head) ? " silent" : "");
}

void print_table(const ScanResult& result) {
  std::printf("%6s %5s %-10s %9s %8s %10s  %s\n", "layer", "head", "mode", "accuracy", "gather", "aggregate", "writes");
  for (const auto& r : result.rows)
    std::printf("%6s %5d %-10s %8.1f%% %8s %10s  %s\n", row_label(r.condition).c_str(), r.condition.head,
                r.condition.mode.c_str(), 100 * r.accuracy, number(r.gather_score).c_str(), number(r.aggregate_score).c_str(),
                write_text(result.scores, r.condition.row, r.condition.head).c_str());
  const double intact = intact_accuracy(result);
  if (std::isnan(intact)) return;
  const ScanRow* worst = nullptr;
  for (const auto& r : result.rows)
    if (r.condition.mode == "zero" && (!worst || r.accuracy < worst->accuracy)) worst = &r;
  std::printf("\nintact accuracy %.1f%% on %d examples\n", 100 * intact, result.examples);
  if (worst)
    std::printf("largest drop: zeroing head %s.%d -> %.1f%% (aggregate score %s)\n", worst->condition.label.c_str(),
                worst->condition.head, 100 * worst->accuracy, number(worst->aggregate_score).c_str());
  const auto random = mean_drop(result, [](const ScanRow& r) { return r.condition.mode == "random"; });
  if (random.rows) std::printf("random controls: mean drop %.1f points over %d heads\n", 100 * random.drop, random.rows);
  // The top aggregate head's sharpness against the model's other heads.
  const auto& sc = result.scores;
  double sharp_sum = 0;
  int sharp_n = 0;
  for (const auto& layer : sc.sharpness)
    for (double v : layer)
      if (!std::isnan(v)) sharp_sum += v, ++sharp_n;
  if (const int silent = silent_head_count(sc))
    std::printf("%d heads are silent at the final position (they write under %.0f%% of what the strongest head writes);\n"
                "they rank after every head that writes\n",
                silent, 100 * kSilentWriteShare);
  const auto ranked = heads_by_aggregate(sc);
  if (ranked.empty() || !sharp_n) return;
  const auto [top_l, top_h] = ranked.front();
  if (std::isnan(sc.aggregate[top_l][top_h])) return;
  std::string top_label = std::to_string(top_l);
  for (const auto& r : result.rows)
    if (r.condition.row == top_l) top_label = r.condition.label;
  std::printf("top aggregate head %s.%d: aggregate %.3f, transition sharpness %.3f (mean over all heads %.3f)\n",
              top_label.c_str(), top_h, sc.aggregate[top_l][top_h], sc.sharpness[top_l][top_h], sharp_sum / sharp_n);
  const auto is_top = [&](const ScanRow& r) { return r.condition.row == top_l && r.condition.head == top_h; };
  for (const auto& r : result.rows)
    if (r.condition.mode == "zero" && is_top(r))
      std::printf("zeroing the top aggregate head: %.1f%% -> %.1f%%\n", 100 * intact, 100 * r.accuracy);
  // Every other scanned head, not only the random few: the steadier control
  // when the model has few heads and five draws can hit or miss its circuit.
  const auto others = mean_drop(result, [&](const ScanRow& r) { return r.condition.mode == "zero" && !is_top(r); });
  if (others.rows)
    std::printf("every other scanned head zeroed: mean drop %.1f points over %d heads\n", 100 * others.drop, others.rows);
  // The G&A heads by their scores, and what the heads that are not cost.
  const auto ga = ga_heads(sc);
  std::string ga_list;
  std::map<int, std::string> labels;
  for (const auto& r : result.rows)
    if (r.condition.row >= 0) labels[r.condition.row] = r.condition.label;
  for (const auto& [l, h] : ga)
    ga_list += (ga_list.empty() ? "" : ", ") + (labels.count(l) ? labels[l] : std::to_string(l)) + "." + std::to_string(h);
  const auto non_ga = mean_drop(result, [&](const ScanRow& r) {
    return r.condition.mode == "zero" && !is_top(r) && !ga.count({r.condition.row, r.condition.head});
  });
  if (!ga.empty() && non_ga.rows)
    std::printf("G&A heads (gather or aggregate score at least %.1f): %s; the %d others zeroed: mean drop %.1f points\n",
                kGaHeadScore, ga_list.c_str(), non_ga.rows, 100 * non_ga.drop);
}

// A [mixer rows][heads] table as a session metric (NaN where missing).
session::MetricRecord metric_record(const std::string& name, const std::vector<std::vector<double>>& table) {
  session::MetricRecord m;
  m.name = name;
  m.rows = static_cast<int>(table.size());
  for (const auto& row : table) m.max_heads = std::max(m.max_heads, static_cast<int>(row.size()));
  m.values.assign(static_cast<size_t>(m.rows) * m.max_heads, NAN);
  for (size_t l = 0; l < table.size(); ++l)
    for (size_t h = 0; h < table[l].size(); ++h) m.values[l * m.max_heads + h] = static_cast<float>(table[l][h]);
  return m;
}

// The scan as a session the window opens: the first example's run (maps and
// per-head metrics) plus the scan's per-head tables under /metrics.
void write_scan_session(const LoadedModel& loaded, const std::string& source, const tasks::TaskExample& first,
                        const ScanResult& result, const std::filesystem::path& path) {
  const auto prepared = tasks::prepare_example(*loaded.tokenizer, first);
  const Prompt prompt = prompt_from_ids(loaded, prepared.ids);
  auto writer = session::SessionWriter::create(path);
  record_run(loaded, prompt, source, writer, RecordOptions{});
  writer.write_metric(metric_record("gather_score", result.scores.gather));
  writer.write_metric(metric_record("aggregate_score", result.scores.aggregate));
  writer.write_metric(metric_record("scan_transition_sharpness", result.scores.sharpness));
  if (!result.scores.writes.empty()) writer.write_metric(metric_record("final_position_write", result.scores.writes));
  std::map<std::string, std::vector<std::vector<double>>> by_mode;  // accuracy with one head ablated
  for (const auto& r : result.rows) {
    if (r.condition.head < 0 || r.condition.row < 0 || r.condition.mode == "random") continue;
    auto& table = by_mode[r.condition.mode];
    if (table.empty()) {
      table.resize(result.scores.aggregate.size());
      for (size_t l = 0; l < table.size(); ++l) table[l].assign(result.scores.aggregate[l].size(), NAN);
    }
    table[r.condition.row][r.condition.head] = r.accuracy;
  }
  for (const auto& [mode, table] : by_mode) writer.write_metric(metric_record("scan_accuracy_" + mode, table));
  writer.commit();
}

// Every parameter that decides a scan's rows, as merge compares them.
std::string scan_parameters(const std::string& checkpoint, const std::string& task, int examples, const ScanOptions& o,
                            const std::string& heads, const std::string& keep, at::ScalarType dtype) {
  std::string modes;
  for (auto m : o.modes) modes += (modes.empty() ? "" : ",") + ablation_mode_name(m);
  return std::string("attnscope=") + ATTNSCOPE_VERSION + " checkpoint=" + io::checkpoint_fingerprint(checkpoint) +
         " task=" + task + " examples=" + std::to_string(examples) + " seed=" + std::to_string(o.seed) +
         " heads=" + heads + " modes=" + modes + " keep=" + (keep.empty() ? "-" : keep) +
         " random=" + std::to_string(o.random_controls) + " dtype=" + run_dtype_name(dtype);
}

// Saves the shard's progress beside its CSV, at most once a second, so a
// killed or timed-out shard resumes; the last save waits for the CSV.
class ProgressFile {
 public:
  ProgressFile(std::filesystem::path path, scan_parts::PartInfo info) : path_(std::move(path)), info_(std::move(info)) {}
  const std::filesystem::path& path() const { return path_; }

  std::optional<ScanProgress> load() const {
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec)) return std::nullopt;
    std::string why;
    std::optional<ScanProgress> saved;
    try {
      saved = scan_parts::read_progress(files::read_file(path_, 1 << 26), info_, &why);
    } catch (const Error& e) {
      why = e.what();
    }
    if (!saved) std::fprintf(stderr, "scan: ignoring %s (%s); starting from the first example\n", path_.c_str(), why.c_str());
    return saved;
  }
  void save(const ScanProgress& progress, bool last) {
    const auto now = std::chrono::steady_clock::now();
    if (!last && now - saved_at_ < std::chrono::seconds(1)) return;
    files::write_file_atomically(path_, scan_parts::progress_text(info_, progress));
    saved_at_ = now;
  }
  void remove() const {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }

 private:
  std::filesystem::path path_;
  scan_parts::PartInfo info_;
  std::chrono::steady_clock::time_point saved_at_{};
};

}  // namespace

int cmd_scan(const Argv& argv) {
  Args args(argv,
            {"task", "examples", "seed", "heads", "modes", "keep", "random", "shard", "csv", "out", "figure", "device",
             "dtype"},
            {"quiet", "plan"});
  const std::string checkpoint = args.positional_at(0, "checkpoint folder");
  const auto task_text = args.value("task");
  if (!task_text) throw Error("give --task (one of letters, mqar, dictionary, phonebook, induction)");
  const tasks::TaskSpec spec = tasks::parse_task_spec(*task_text);
  const int examples = args.int_or("examples", 200);
  if (examples < 1) throw Error("--examples must be at least 1");

  ScanOptions o;
  o.seed = static_cast<unsigned>(args.int_or("seed", 1));
  const std::string heads = args.value_or("heads", "all");
  if (heads.rfind("top:", 0) == 0) {
    try {
      o.top_heads = std::stoi(heads.substr(4));
    } catch (const std::exception&) {
      o.top_heads = 0;
    }
    if (o.top_heads < 1) throw Error("--heads " + heads + ": expected top:K with K >= 1");
  } else if (heads != "all") {
    throw Error("--heads " + heads + ": expected all or top:K");
  }
  o.modes = parse_modes(args.value_or("modes", "zero,mean"));
  const std::string keep_text = args.value_or("keep", "");
  if (!keep_text.empty()) o.keep = parse_keep_sets("--keep", keep_text);
  o.random_controls = args.int_or("random", 5);
  if (o.random_controls < 0) throw Error("--random must be 0 or more");
  const bool sharded = args.has("shard");
  if (auto shard = args.value("shard")) std::tie(o.shard_index, o.shard_count) = parse_shard(*shard);
  const bool quiet = args.flag("quiet");
  const auto figure = svg_figure_arg(args, "scan");
  if (o.shard_count > 1 && (args.has("out") || figure))
    throw Error("--out and --figure need the whole scan: write CSVs per shard and join them with attnscope merge");
  for (const char* option : {"csv", "out"}) output_arg(args, option);

  const LoadOptions load = load_options_from_args(args);
  const auto loaded = load_for_running(checkpoint, load);
  if (!loaded->tokenizer) throw Error("a scan needs the checkpoint's tokenizer (tokenizer.json or vocab.json)");
  // Every shard's log says what it ran on (a CPU-only LibTorch runs --device auto on the CPU).
  std::fprintf(stderr, "scan: device %s\n", compute_description(load.device).c_str());
  // Examples depend on the seed only, so every shard of an array job scans the same ones.
  const auto set = tasks::generate(spec, examples, o.seed);
  if (args.flag("plan")) {
    print_scan_plan(*loaded, set, o);
    return 0;
  }

  scan_parts::PartInfo part;
  part.scan = scan_parameters(checkpoint, *task_text, examples, o, heads, keep_text, load.dtype);
  part.checkpoint = checkpoint;
  part.device = compute_description(load.device);
  part.shard_index = o.shard_index;
  part.shard_count = o.shard_count;
  const auto csv = args.value("csv");
  std::optional<ProgressFile> progress_file;
  std::optional<ScanProgress> resumed;
  if (csv) {
    progress_file.emplace(*csv + ".progress", part);
    files::check_output_target(progress_file->path());
    resumed = progress_file->load();  // a progress it cannot use is said even with --quiet
    o.resume_from = resumed ? &*resumed : nullptr;
    o.on_resume = [&](bool used, int done, const std::string& why_not) {
      if (used) std::printf("resuming from %s: %d of %d examples already scored\n", progress_file->path().c_str(), done, examples);
      else std::fprintf(stderr, "scan: ignoring %s (%s); starting from the first example\n", progress_file->path().c_str(), why_not.c_str());
      std::fflush(stdout);
    };
    o.on_example_done = [&](const ScanProgress& p) { progress_file->save(p, p.examples_done == examples); };
  }
  o.on_progress = [&](int done, int total) {
    if (!quiet && (done % 100 == 0 || done == total)) std::fprintf(stderr, "\rscan: %d / %d runs", done, total);
    if (!quiet && done == total) std::fprintf(stderr, "\n");
  };
  const ScanResult result = run_head_scan(*loaded->model, *loaded->tokenizer, set, o);
  print_table(result);
  if (csv) {
    std::vector<std::string> lines;
    for (const auto& r : result.rows) lines.push_back(csv_line(r));
    part.conditions = result.total_conditions;
    part.conditions_digest = result.conditions_digest;
    files::write_file_atomically(*csv, sharded ? scan_parts::part_csv(part, lines) : scan_parts::whole_scan_csv(lines));
    progress_file->remove();
    std::printf("wrote %s%s\n", csv->c_str(),
                sharded ? (" (shard " + std::to_string(o.shard_index) + " of " + std::to_string(o.shard_count) + ")").c_str() : "");
  }
  if (figure) {
    write_scan_figure(result, "scan of " + std::filesystem::path(checkpoint).filename().string() + " on " + *task_text, *figure);
    std::printf("wrote %s\n", figure->c_str());
  }
  if (auto out = args.value("out")) {
    write_scan_session(*loaded, checkpoint, set.front(), result, *out);
    std::printf("wrote %s (the first example's maps, per-head scores and accuracies under /metrics)\n", out->c_str());
  }
  return 0;
}

namespace {
double parse_number(const std::string& text) { return text == "nan" ? NAN : std::stod(text); }

// A merged table back as a scan result, for the figure: rows as read, the
// heads' scores from their ablation rows.
ScanResult result_from_csv_lines(const std::vector<std::string>& lines) {
  ScanResult result;
  // Row labels ("3", "3.attn") back to mixer rows: by layer, then in order of appearance.
  std::vector<std::pair<int, std::string>> seen;
  for (const auto& line : lines) {
    const std::string label = line.substr(0, line.find(','));
    const auto v = parse_int(label.substr(0, label.find('.')));
    if (v && *v >= 0 && std::find(seen.begin(), seen.end(), std::make_pair(*v, label)) == seen.end()) seen.emplace_back(*v, label);
  }
  std::stable_sort(seen.begin(), seen.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& line : lines) {
    std::stringstream fields(line);
    std::string layer, head, mode, accuracy, gather, aggregate;
    for (auto* f : {&layer, &head, &mode, &accuracy, &gather, &aggregate}) std::getline(fields, *f, ',');
    ScanRow row;
    try {
      row.condition.row = -1;
      for (size_t i = 0; i < seen.size(); ++i)
        if (seen[i].second == layer) row.condition.row = static_cast<int>(i), row.condition.label = layer;
      row.condition.head = std::stoi(head);
      row.accuracy = parse_number(accuracy);
      row.gather_score = parse_number(gather);
      row.aggregate_score = parse_number(aggregate);
    } catch (const std::exception&) {
      throw Error("a scan CSV row is not numbers where numbers belong: " + line);
    }
    row.condition.mode = mode;
    const int l = row.condition.row, h = row.condition.head;
    if (l >= 0 && h >= 0 && mode != "random") {
      auto& scores = result.scores;
      if (static_cast<int>(scores.gather.size()) <= l) scores.gather.resize(l + 1), scores.aggregate.resize(l + 1);
      for (auto* table : {&scores.gather[l], &scores.aggregate[l]})
        if (static_cast<int>(table->size()) <= h) table->resize(h + 1, NAN);
      scores.gather[l][h] = row.gather_score;
      scores.aggregate[l][h] = row.aggregate_score;
    }
    result.rows.push_back(row);
  }
  return result;
}
}  // namespace

int cmd_merge(const Argv& argv) {
  Args args(argv, {"csv", "figure"}, {});
  const auto figure = svg_figure_arg(args, "scan");
  const auto out = args.value("csv");
  if (!out) throw Error("give --csv <merged.csv>");
  if (args.positional().empty()) throw Error("give the CSV parts to merge");
  files::check_output_target(*out);
  std::vector<scan_parts::Part> parts;
  for (const auto& file : args.positional()) {
    const auto canonical = std::filesystem::weakly_canonical(file);
    if (canonical == std::filesystem::weakly_canonical(*out))
      throw Error(file + " is also the output (--csv): name the merged file apart from the parts");
    for (const auto& p : parts)
      if (std::filesystem::weakly_canonical(p.file) == canonical) throw Error(file + " is given twice");
    parts.push_back(scan_parts::read_part(file, files::read_file(file, 1 << 30)));
  }
  const auto rows = scan_parts::merge_parts(parts);
  files::write_file_atomically(*out, scan_parts::whole_scan_csv(rows));
  std::printf("merged %zu parts (every shard of one scan), %zu rows into %s\n", parts.size(), rows.size(), out->c_str());
  if (figure) {
    // The example count is not in the CSV: the heading says "merged".
    write_scan_figure(result_from_csv_lines(rows), "merged scan " + std::filesystem::path(*out).filename().string(),
                      *figure);
    std::printf("wrote %s\n", figure->c_str());
  }
  return 0;
}

}  // namespace attnscope::cli
