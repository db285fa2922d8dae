#include "core/session/session_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <set>

#include "core/session/chunk_reader.h"
#include "core/session/exploration.h"
#include "core/session/factor_store.h"
#include "core/session/half_float.h"
#include "core/session/structure_check.h"
#include "core/util/error.h"
#include "core/util/input_file.h"
#include "core/util/memory.h"
#include "core/util/huge_pages.h"

namespace attnscope::session {
namespace fs = std::filesystem;

namespace {

// A softmax head's row normalisers as the session stored them at `group_path`; empty when it kept none.
std::vector<float> stored_normalisers(hid_t file, const std::string& group_path, int head, int64_t length,
                                      const std::filesystem::path& path) {
  H5Id g(check(H5Gopen2(file, group_path.c_str(), H5P_DEFAULT), path, "cannot open " + group_path));
  return read_row_normalisers(g, group_path, head, length, path);
}
std::string layer_path(int layer) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "/mixing/layer_%03d", layer);
  return buf;
}

// The name schema 1 gives a layer's only mixer.
std::string schema1_mixer_name(const std::string& kind) {
  return kind == "mamba2_ssd" || kind == "mamba1_channel" || kind == "discrete_mamba2" ? "ssm" : "attn";
}

std::vector<std::string> child_names(hid_t group) {  // sorted by name (H5_INDEX_NAME)
  std::vector<std::string> names;
  H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr,
             [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
               static_cast<std::vector<std::string>*>(data)->emplace_back(name);
               return 0;
             },
             &names);
  return names;
}

// A whole-name decimal number of at most `max_digits` digits, or -1.
int64_t parse_index(const std::string& text, size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return -1;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

// "layer_007" -> 7; -1 for anything else.
int parse_layer_name(const std::string& name) {
  const std::string prefix = "layer_";
  if (name.compare(0, prefix.size(), prefix) != 0) return -1;
  return static_cast<int>(parse_index(name.substr(prefix.size()), 6));
}

std::vector<hsize_t> dims_of(hid_t dataset) {
  H5Id space(H5Dget_space(dataset));
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(rank > 0 ? rank : 0);
  if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

[[noreturn]] void damaged(const fs::path& path, const std::string& what) { fail_file(path, what + ": damaged session"); }

// Largest prompt and head count a session may declare.
constexpr int64_t kMaxLength = int64_t(1) << 24;
constexpr int64_t kMaxHeads = int64_t(1) << 20;

// "0:softmax_attention,3:mamba2_ssd": heads of a mixer of `heads`, ascending, each once, with a kind.
std::map<int, std::string> parse_head_kinds(const std::string& text, int heads, const fs::path& path, const std::string& what) {
  std::map<int, std::string> out;
  size_t at = 0;
  while (at < text.size()) {
    const size_t end = std::min(text.find(',', at), text.size());
    const std::string item = text.substr(at, end - at);
    const size_t colon = item.find(':');
    int head = -1;
    const auto [ptr, ec] = std::from_chars(item.data(), item.data() + std::min(colon, item.size()), head);
    const std::string kind = colon == std::string::npos ? "" : item.substr(colon + 1);
    const bool kind_ok = !kind.empty() && kind.size() <= 32 &&
                         std::all_of(kind.begin(), kind.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
    if (colon == std::string::npos || ec != std::errc() || ptr != item.data() + colon || item.substr(0, colon) != std::to_string(head) ||
        head < 0 || head >= heads || (!out.empty() && head <= out.rbegin()->first) || !kind_ok ||
        (end == text.size() - 1))  // a trailing comma
      damaged(path, what + " gives its heads' kinds as '" + text + "'");
    out[head] = kind;
    at = end + 1;
  }
  return out;
}
}  // namespace

SessionReader::SessionReader(const fs::path& path) : path_(path) {
  silence_hdf5_errors();
  std::error_code ec;
  if (!fs::exists(path, ec)) fail_file(path, "no such session file");
  files::require_regular_file(path);  // a FIFO or a device is refused before HDF5 opens it
  if (H5Fis_hdf5(path.c_str()) <= 0)
    fail_file(path, "is not an HDF5 file, or is truncated: not an AttnScope session");
  file_ = H5Id(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!file_.valid()) fail_file(path, "cannot be opened as HDF5 (truncated or damaged?)");
  if (!has_attribute(file_, "format") || read_string_attr(file_, "format", path) != kFormatName)
    fail_file(path, "is an HDF5 file but not an AttnScope session");
  header_.format = kFormatName;
  header_.schema_version = read_int_attr(file_, "schema_version", path);
  if (header_.schema_version > kSchemaVersion)
    fail_file(path, "was written by a newer AttnScope (session schema " + std::to_string(header_.schema_version) +
                        "; this version reads up to " + std::to_string(kSchemaVersion) + "): please update AttnScope");
  if (header_.schema_version < 1) damaged(path, "schema version " + std::to_string(header_.schema_version));
  check_session_structure(file_, path);
  header_.app_version = read_string_attr(file_, "app_version", path);
  header_.created = read_string_attr(file_, "created", path);
  read_model();
  read_prompt();
  if (has_link(file_, "/outputs")) {
    H5Id g(check(H5Gopen2(file_, "/outputs", H5P_DEFAULT), path, "cannot open /outputs"));
    outputs_ = read_outputs(g, "/outputs");
  }
  map_paths_.assign(model_.mixers.size(), "");
  if (has_link(file_, "/mixing")) {
    H5Id g(check(H5Gopen2(file_, "/mixing", H5P_DEFAULT), path, "cannot open /mixing"));
    for (const int row : find_maps(g, "/mixing/")) map_paths_[row] = map_path("/mixing", row);
  }
  find_factors();
  find_overviews();
  if (has_link(file_, "/ablations")) {
    H5Id g(check(H5Gopen2(file_, "/ablations", H5P_DEFAULT), path, "cannot open /ablations"));
    std::vector<int> numbers;
    for (const auto& name : child_names(g)) {
      const int64_t n = parse_index(name, 6);
      if (n < 0) damaged(path, "/ablations holds '" + name + "', not a numbered ablation");
      numbers.push_back(static_cast<int>(n));
    }
    std::sort(numbers.begin(), numbers.end());
    for (int n : numbers) {
      const std::string where = "/ablations/" + std::to_string(n);
      H5Id a(check(H5Gopen2(g, std::to_string(n).c_str(), H5P_DEFAULT), path, "cannot open " + where));
      AblationRecord r;
      r.spec = read_string_attr(a, "spec", path);
      std::set<HeadKey> heads;
      std::string mode;
      if (!read_ablation_spec(r.spec, &heads, &mode)) damaged(path, where + " names its heads as '" + r.spec + "'");
      for (const HeadKey& h : heads) {
        const int row = model_.find_row(h.layer, h.mixer);
        if (row < 0 || h.head >= model_.mixers[row].heads) damaged(path, where + " ablates a head the model lacks: " + r.spec);
      }
      r.target_logprob_delta = read_double_attr(a, "target_logprob_delta", path);
      if (std::isinf(r.target_logprob_delta)) damaged(path, where + " has an infinite log-probability change");
      r.outputs = read_outputs(a, where);
      if (has_link(a, "mixing")) {
        H5Id m(check(H5Gopen2(a, "mixing", H5P_DEFAULT), path, "cannot open " + where + "/mixing"));
        r.map_rows = find_maps(m, where + "/mixing/");
      }
      ablations_.push_back(r);
    }
  }
}

void SessionReader::find_factors() {
  factor_paths_.assign(model_.mixers.size(), "");
  if (!has_link(file_, "/factors")) return;
  if (header_.schema_version < 3) damaged(path_, "/factors in a schema " + std::to_string(header_.schema_version) + " file");
  H5Id g(check(H5Gopen2(file_, "/factors", H5P_DEFAULT), path_, "cannot open /factors"));
  for_each_mixer_entry(g, "/factors/", [&](hid_t layer_group, const std::string& mixer, const std::string& prefix, int row) {
    H5Id m(check(H5Gopen2(layer_group, mixer.c_str(), H5P_DEFAULT), path_, "cannot open " + prefix + mixer));
    check_factor_group(m, prefix + mixer, model_.mixers[row], length(), path_);
    factor_paths_[row] = prefix + mixer;
  });
}

void SessionReader::find_overviews() {
  overview_sizes_.assign(model_.mixers.size(), 0);
  overview_paths_.assign(model_.mixers.size(), "");
  if (!has_link(file_, "/overview")) return;
  H5Id g(check(H5Gopen2(file_, "/overview", H5P_DEFAULT), path_, "cannot open /overview"));
  for_each_mixer_entry(g, "/overview/", [&](hid_t layer_group, const std::string& mixer, const std::string& prefix, int row) {
    overview_sizes_[row] = check_overview_dataset(layer_group, mixer, prefix + mixer, model_.mixers[row], length(), path_);
    overview_paths_[row] = prefix + mixer;
  });
}

std::vector<float> SessionReader::read_overview(int row, int head) const {
  const int n = overview_size(row);
  if (n == 0 || head < 0 || head >= model_.mixers[row].heads)
    fail_file(path_, "holds no overview of head " + std::to_string(head) + " of layer " + model_.row_label(row));
  const std::string& dataset = overview_paths_[row];
  H5Id set(check(H5Dopen2(file_, dataset.c_str(), H5P_DEFAULT), path_, "cannot open " + dataset));
  H5Id space(H5Dget_space(set));
  const hsize_t start[3] = {static_cast<hsize_t>(head), 0, 0}, count[3] = {1, static_cast<hsize_t>(n), static_cast<hsize_t>(n)};
  H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr);
  H5Id memspace(H5Screate_simple(3, count, nullptr));
  std::vector<float> out(static_cast<size_t>(n) * n);
  check_status(H5Dread(set, H5T_NATIVE_FLOAT, memspace, space, H5P_DEFAULT, out.data()), path_,
               "cannot read " + dataset + " (damaged?)");
  return out;
}

std::shared_ptr<const MapFactors> SessionReader::factors(int row) const {
  if (!has_factors(row)) fail_file(path_, "holds no map factors for layer " + model_.row_label(row));
  for (size_t n = 0; n < factor_cache_.size(); ++n)
    if (factor_cache_[n].row == row) {
      std::rotate(factor_cache_.begin(), factor_cache_.begin() + n, factor_cache_.begin() + n + 1);
      return factor_cache_.front().factors;
    }
  H5Id g(check(H5Gopen2(file_, factor_paths_[row].c_str(), H5P_DEFAULT), path_, "cannot open " + factor_paths_[row]));
  auto f = std::make_shared<const MapFactors>(read_factor_group(g, factor_paths_[row], model_.mixers[row], length(), path_));
  factor_cache_.insert(factor_cache_.begin(), FactorCache{row, f, {}});
  if (factor_cache_.size() > kFactorRowsKept) factor_cache_.pop_back();
  return f;
}

std::vector<float> SessionReader::compute_rect(int row, int head, int64_t row0, int64_t col0, int64_t rows,
                                               int64_t cols) const {
  const auto f = factors(row);  // now the cache's front
  if (head < 0 || head >= f->heads || row0 < 0 || col0 < 0 || rows < 0 || cols < 0 || row0 + rows > length() ||
      col0 + cols > length())
    fail_file(path_, "requested part of the maps of layer " + model_.row_label(row) + " lies outside them");
  // The tile, and the scores of one block of rows against every key (a part of a row needs its whole row's normaliser).
  require_memory(static_cast<double>(rows) * static_cast<double>(cols) * 4 * 2 + 1024.0 * static_cast<double>(length()) * 4,
                 "computing a " + std::to_string(rows) + " x " + std::to_string(cols) + " map from " + path_.string(),
                 "view a smaller part of it");
  std::vector<float> out = huge_page_vector<float>(static_cast<size_t>(rows * cols));
  const bool whole_rows = col0 == 0 && cols == length();
  const std::vector<float>* normalisers = whole_rows ? nullptr : head_normalisers(row, head);
  compute_tile(*f, head, row0, col0, rows, cols, out.data(), normalisers);
  return out;
}

const std::vector<float>* SessionReader::head_normalisers(int row, int head) const {
  const auto f = factors(row);  // the cache's front
  if (f->form != FactorForm::Softmax) return nullptr;
  auto& normalisers = factor_cache_.front().normalisers;
  if (!normalisers.count(head)) {
    // Once per head, from the file when the session kept them: later tiles cost only their own cells.
    std::vector<float> stored = stored_normalisers(file_, factor_paths_[row], head, length(), path_);
    normalisers[head] = stored.empty() ? row_log_normalisers(*f, head) : std::move(stored);
  }
  return &normalisers.at(head);
}

std::optional<FactorHead> SessionReader::factor_head(int row, int head, bool whole_map) const {
  if (!has_maps(row)) fail_file(path_, "holds no maps for layer " + model_.row_label(row));
  if (maps_stored(row)) return std::nullopt;
  const auto f = factors(row);
  if (head < 0 || head >= f->heads) fail_file(path_, "has no head " + std::to_string(head) + " in layer " + model_.row_label(row));
  if (whole_map)
    require_memory(static_cast<double>(length()) * static_cast<double>(length()) * 4 + 1024.0 * static_cast<double>(length()) * 4,
                   "computing a " + std::to_string(length()) + " x " + std::to_string(length()) + " map from " + path_.string(),
                   "view a smaller part of it");
  FactorHead out{f, head, {}};
  // Known or stored normalisers save the worker a pass; computing them here would block the caller,
  // so a file without them leaves it to compute().
  if (f->form != FactorForm::Softmax) return out;
  const auto& cached = factor_cache_.front().normalisers;  // factors(row) made this row the front
  const auto known = cached.find(head);
  out.normalisers = known != cached.end() ? known->second : stored_normalisers(file_, factor_paths_[row], head, length(), path_);
  return out;
}

std::vector<float> FactorHead::compute(const std::atomic<bool>* cancel) const {
  const int64_t L = factors->length, block = 256;  // rows between looks at `cancel`: a few ms at 8192 tokens
  std::vector<float> out = huge_page_vector<float>(static_cast<size_t>(L * L));
  for (int64_t r0 = 0; r0 < L; r0 += block) {
    if (cancel && cancel->load()) return {};
    compute_tile(*factors, head, r0, 0, std::min(block, L - r0), L, out.data() + r0 * L,
                 normalisers.empty() ? nullptr : &normalisers);
  }
  return out;
}

std::string SessionReader::map_path(const std::string& root, int row) const {
  const MixerRecord& m = model_.mixers[row];
  return header_.schema_version >= 2 ? root + layer_path(m.layer).substr(7) + "/" + m.name : root + layer_path(m.layer).substr(7);
}

int SessionReader::checked_layer(const std::string& name, const std::string& where) const {
  const int layer = parse_layer_name(name);
  if (layer < 0 || layer >= static_cast<int>(model_.layer_descriptions.size()))
    damaged(path_, where + name + " names no layer of this " + std::to_string(model_.layer_descriptions.size()) +
                       "-layer model");
  // Datasets are opened by the name the writer gives (layer_%03d): any other spelling would be checked, not read.
  if (name != layer_path(layer).substr(8)) damaged(path_, where + name + " is not named " + layer_path(layer).substr(8));
  return layer;
}

void SessionReader::for_each_mixer_entry(
    hid_t group, const std::string& where,
    const std::function<void(hid_t layer_group, const std::string& mixer, const std::string& prefix, int row)>& visit) const {
  for (const auto& name : child_names(group)) {
    const int layer = checked_layer(name, where);
    H5Id layer_group(check(H5Gopen2(group, name.c_str(), H5P_DEFAULT), path_, "cannot open " + where + name));
    for (const auto& mixer : child_names(layer_group)) {
      const int row = model_.find_row(layer, mixer);
      if (row < 0) damaged(path_, where + name + "/" + mixer + " names no mixer of layer " + std::to_string(layer));
      visit(layer_group, mixer, where + name + "/", row);
    }
  }
}

std::vector<int> SessionReader::find_maps(hid_t group, const std::string& where) const {
  std::vector<int> rows;
  if (header_.schema_version < 2) {  // schema 1: the layer's map is the dataset itself
    for (const auto& name : child_names(group)) {
      const int row = model_.find_row(checked_layer(name, where));
      check_map_dataset(group, name, where, row);
      rows.push_back(row);
    }
  } else {
    for_each_mixer_entry(group, where, [&](hid_t layer_group, const std::string& mixer, const std::string& prefix, int row) {
      check_map_dataset(layer_group, mixer, prefix, row);
      rows.push_back(row);
    });
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

void SessionReader::check_map_dataset(hid_t group, const std::string& name, const std::string& where, int row) const {
  if (row < 0) damaged(path_, where + name + " belongs to no mixer of the model");
  H5Id set(check(H5Dopen2(group, name.c_str(), H5P_DEFAULT), path_, "cannot open " + where + name));
  const auto dims = dims_of(set);
  const auto L = static_cast<hsize_t>(length());
  const auto heads = static_cast<hsize_t>(model_.mixers[row].heads);
  if (dims.size() != 3 || dims[0] != heads || dims[1] != L || dims[2] != L)
    damaged(path_, where + name + " is not [" + std::to_string(heads) + ", " + std::to_string(L) + ", " +
                       std::to_string(L) + "] as the model and prompt say");
  if (has_attribute(set, "heads") && read_int_attr(set, "heads", path_) != static_cast<int64_t>(heads))
    damaged(path_, where + name + " says it has " + std::to_string(read_int_attr(set, "heads", path_)) + " heads, not " +
                       std::to_string(heads));
  H5Id type(H5Dget_type(set));
  if (H5Tget_class(type) != H5T_FLOAT || (H5Tget_size(type) != 2 && H5Tget_size(type) != 4))
    damaged(path_, where + name + " does not hold float16 or float32 maps");
  check_map_storage(set, path_);
}

void SessionReader::read_model() {
  if (!has_link(file_, "/model")) fail_file(path_, "has no /model group: damaged session");
  H5Id g(check(H5Gopen2(file_, "/model", H5P_DEFAULT), path_, "cannot open /model"));
  model_.family = read_string_attr(g, "family", path_);
  model_.source = read_string_attr(g, "source", path_);
  model_.dtype = read_string_attr(g, "dtype", path_);
  model_.device = read_string_attr(g, "device", path_);
  model_.config_json = read_single_string(g, "config_json", path_);
  model_.layer_descriptions = read_string_dataset(g, "layer_descriptions", path_);
  const size_t layers = model_.layer_descriptions.size();
  if (layers == 0) damaged(path_, "/model lists no layers");
  if (has_attribute(g, "num_layers") && read_int_attr(g, "num_layers", path_) != static_cast<int64_t>(layers))
    damaged(path_, "/model says " + std::to_string(read_int_attr(g, "num_layers", path_)) + " layers but lists " +
                       std::to_string(layers));
  // Schema 2: a mixer table; schema 1: one mixer per layer, tables per layer.
  const bool mixers = header_.schema_version >= 2;
  const auto kinds = read_string_dataset(g, mixers ? "mixer_kinds" : "layer_kinds", path_);
  const auto heads = read_int64_dataset(g, mixers ? "mixer_heads" : "layer_heads", path_);
  const auto descriptions = mixers ? read_string_dataset(g, "mixer_descriptions", path_) : model_.layer_descriptions;
  const auto names = mixers ? read_string_dataset(g, "mixer_names", path_) : std::vector<std::string>();
  std::vector<int64_t> owners(kinds.size());
  if (mixers) owners = read_int64_dataset(g, "mixer_layers", path_);
  else
    for (size_t i = 0; i < owners.size(); ++i) owners[i] = static_cast<int64_t>(i);
  const char* channels_key = mixers ? "mixer_channels_per_head" : "layer_channels_per_head";
  const char* views_key = mixers ? "mixer_views" : "layer_views";
  const auto channels = has_link(g, channels_key) ? read_int64_dataset(g, channels_key, path_) : std::vector<int64_t>(kinds.size(), 1);
  const auto views = has_link(g, views_key) ? read_string_dataset(g, views_key, path_) : std::vector<std::string>(kinds.size(), "direct");
  const auto other_kinds = has_link(g, "mixer_head_kinds") ? read_string_dataset(g, "mixer_head_kinds", path_)
                                                           : std::vector<std::string>(kinds.size());
  const size_t n = kinds.size();
  if (other_kinds.size() != n) damaged(path_, "/model mixer tables disagree in length");
  if (heads.size() != n || descriptions.size() != n || owners.size() != n || channels.size() != n || views.size() != n ||
      (mixers && names.size() != n) || (!mixers && n != layers))
    damaged(path_, "/model mixer tables disagree in length");
  for (size_t i = 0; i < n; ++i) {
    const std::string what = "/model's mixer " + std::to_string(i);
    if (owners[i] < 0 || owners[i] >= static_cast<int64_t>(layers) || (i > 0 && owners[i] < owners[i - 1]))
      damaged(path_, what + " belongs to layer " + std::to_string(owners[i]));
    if (heads[i] < 1 || heads[i] > kMaxHeads) damaged(path_, "/model gives layer " + std::to_string(owners[i]) + " " + std::to_string(heads[i]) + " heads");
    if (channels[i] < 1 || channels[i] > kMaxHeads) damaged(path_, what + " has " + std::to_string(channels[i]) + " channels per head");
    if (views[i] != "direct" && views[i] != "effective") damaged(path_, what + " has the unknown view '" + views[i] + "'");
    MixerRecord m{static_cast<int>(owners[i]), mixers ? names[i] : schema1_mixer_name(kinds[i]), kinds[i],
                  static_cast<int>(heads[i]), descriptions[i], static_cast<int>(channels[i]), views[i], {}};
    if (m.name.empty() || model_.find_row(m.layer, m.name) >= 0) damaged(path_, what + " has an empty or repeated name");
    m.head_kinds = parse_head_kinds(other_kinds[i], m.heads, path_, what);
    model_.mixers.push_back(m);
  }
}

void SessionReader::read_prompt() {
  if (!has_link(file_, "/prompt")) fail_file(path_, "has no /prompt group: damaged session");
  H5Id g(check(H5Gopen2(file_, "/prompt", H5P_DEFAULT), path_, "cannot open /prompt"));
  // The exact bytes when the writer stored them (NUL and invalid UTF-8 survive there).
  prompt_.text = has_link(g, "text_bytes") ? read_bytes_dataset(g, "text_bytes", path_) : read_single_string(g, "text", path_);
  prompt_.ids = read_int64_dataset(g, "token_ids", path_);
  prompt_.tokens = read_string_dataset(g, "tokens", path_);
  if (has_link(g, "byte_spans")) prompt_.byte_spans = read_int64_dataset(g, "byte_spans", path_);
  const auto L = static_cast<int64_t>(prompt_.ids.size());
  if (L < 1 || L > kMaxLength) damaged(path_, "/prompt has " + std::to_string(L) + " token ids");
  if (static_cast<int64_t>(prompt_.tokens.size()) != L)
    damaged(path_, "/prompt has " + std::to_string(L) + " ids but " + std::to_string(prompt_.tokens.size()) + " token strings");
  for (int64_t id : prompt_.ids)
    if (id < 0) damaged(path_, "/prompt holds the negative token id " + std::to_string(id));
  if (!prompt_.byte_spans.empty()) {
    if (static_cast<int64_t>(prompt_.byte_spans.size()) != 2 * L) damaged(path_, "/prompt byte_spans is not [L, 2]");
    const auto bytes = static_cast<int64_t>(prompt_.text.size());
    for (int64_t i = 0; i < L; ++i) {
      const int64_t b = prompt_.byte_spans[2 * i], e = prompt_.byte_spans[2 * i + 1];
      if (b < 0 || e < b || e > bytes) damaged(path_, "/prompt byte_spans of token " + std::to_string(i) + " lie outside the text");
    }
  }
}

OutputRecord SessionReader::read_outputs(hid_t g, const std::string& where) const {
  OutputRecord out;
  const auto ids = read_int64_dataset(g, "topk_ids", path_);
  const auto probs = read_float_dataset(g, "topk_probs", path_);
  const auto tokens = read_string_dataset(g, "topk_tokens", path_);
  if (ids.size() != probs.size() || ids.size() != tokens.size())
    damaged(path_, where + " top-k tables disagree in length");
  if (has_link(g, "final_logits")) out.final_logits = read_float_dataset(g, "final_logits", path_);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (!(probs[i] >= 0.f && probs[i] <= 1.f)) damaged(path_, where + " holds the probability " + number(probs[i]));
    if (ids[i] < 0 || (!out.final_logits.empty() && ids[i] >= static_cast<int64_t>(out.final_logits.size())))
      damaged(path_, where + " holds the token id " + std::to_string(ids[i]));
    out.top.push_back({ids[i], tokens[i], probs[i]});
  }
  out.target = read_int_attr(g, "target_id", path_);
  out.target_logprob = read_double_attr(g, "target_logprob", path_);
  if (out.target < -1 || (!out.final_logits.empty() && out.target >= static_cast<int64_t>(out.final_logits.size())))
    damaged(path_, where + " names the target token " + std::to_string(out.target));
  if (out.target_logprob > 1e-6 || std::isinf(out.target_logprob))
    damaged(path_, where + " holds the log-probability " + number(out.target_logprob));
  return out;
}

std::vector<int> SessionReader::rows_with_maps() const {
  std::vector<int> out;
  for (size_t r = 0; r < map_paths_.size(); ++r)
    if (has_maps(static_cast<int>(r))) out.push_back(static_cast<int>(r));
  return out;
}

const MixerRecord& SessionReader::mixer(int row) const {
  if (row < 0 || row >= static_cast<int>(model_.mixers.size())) fail_file(path_, "has no mixer row " + std::to_string(row));
  return model_.mixers[row];
}

std::string SessionReader::maps_dtype(int row) const {
  if (!has_maps(row)) fail_file(path_, "holds no maps for " + model_.row_label(row));
  if (!maps_stored(row)) return "float32";
  H5Id set(H5Dopen2(file_, map_paths_[row].c_str(), H5P_DEFAULT));
  H5Id type(H5Dget_type(set));
  return H5Tget_size(type) == 2 ? "float16" : "float32";
}

std::vector<float> SessionReader::read_rect(const std::string& dataset, int head, int64_t row0, int64_t col0,
                                            int64_t rows, int64_t cols) const {
  H5Id set(check(H5Dopen2(file_, dataset.c_str(), H5P_DEFAULT), path_, "has no dataset " + dataset));
  H5Id space(H5Dget_space(set));
  hsize_t dims[3] = {0, 0, 0};
  if (H5Sget_simple_extent_ndims(space) != 3) fail_file(path_, dataset + " is not [heads, L, L]");
  H5Sget_simple_extent_dims(space, dims, nullptr);
  if (head < 0 || static_cast<hsize_t>(head) >= dims[0] || row0 < 0 || col0 < 0 || rows < 0 || cols < 0 ||
      static_cast<hsize_t>(row0 + rows) > dims[1] || static_cast<hsize_t>(col0 + cols) > dims[2])
    fail_file(path_, "requested part of " + dataset + " lies outside it");
  // A crafted (sparse) file may declare L = 60000: 14 GB for one head.
  require_memory(static_cast<double>(rows) * static_cast<double>(cols) * 4 * 2,
                 "reading a " + std::to_string(rows) + " x " + std::to_string(cols) + " map from " + path_.string(),
                 "view a smaller part of it");
  std::vector<float> fast;
  if (read_rect_by_chunks(set, head, row0, col0, rows, cols, fast, path_)) return fast;
  const hsize_t start[3] = {static_cast<hsize_t>(head), static_cast<hsize_t>(row0), static_cast<hsize_t>(col0)};
  const hsize_t count[3] = {1, static_cast<hsize_t>(rows), static_cast<hsize_t>(cols)};
  H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr);
  H5Id memspace(H5Screate_simple(3, count, nullptr));
  H5Id file_type(H5Dget_type(set));
  const size_t n = static_cast<size_t>(rows * cols);
  std::vector<float> out = huge_page_vector<float>(n);
  if (H5Tget_size(file_type) == 2) {
    // Read the half bits as stored (HDF5's own float16 conversion is slow), convert here.
    std::vector<uint16_t> half(n);
    check_status(H5Dread(set, float16_type(), memspace, space, H5P_DEFAULT, half.data()), path_,
                 "cannot read " + dataset + " (damaged?)");
    halves_to_floats(half.data(), out.data(), n);
  } else {
    check_status(H5Dread(set, H5T_NATIVE_FLOAT, memspace, space, H5P_DEFAULT, out.data()), path_,
                 "cannot read " + dataset + " (damaged?)");
  }
  return out;
}

std::vector<float> SessionReader::read_head(int row, int head) const {
  return read_tile(row, head, 0, 0, length(), length());
}

std::vector<float> SessionReader::read_tile(int row, int head, int64_t row0, int64_t col0, int64_t rows,
                                            int64_t cols) const {
  if (!has_maps(row)) fail_file(path_, "holds no maps for layer " + model_.row_label(row));
  if (!maps_stored(row)) return compute_rect(row, head, row0, col0, rows, cols);
  return read_rect(map_paths_[row], head, row0, col0, rows, cols);
}

bool SessionReader::has_ablation_maps(int ablation, int row) const {
  if (ablation < 0 || ablation >= static_cast<int>(ablations_.size())) return false;
  const auto& r = ablations_[ablation].map_rows;
  return std::find(r.begin(), r.end(), row) != r.end();
}

std::vector<float> SessionReader::read_ablation_head(int ablation, int row, int head) const {
  if (!has_ablation_maps(ablation, row))
    fail_file(path_, "holds no maps of layer " + model_.row_label(row) + " for ablation " + std::to_string(ablation));
  return read_rect(map_path("/ablations/" + std::to_string(ablation) + "/mixing", row), head, 0, 0, length(), length());
}

std::vector<std::string> SessionReader::metric_names() const {
  if (!has_link(file_, "/metrics")) return {};
  H5Id g(H5Gopen2(file_, "/metrics", H5P_DEFAULT));
  return child_names(g);
}

MetricRecord SessionReader::metric(const std::string& name) const {
  H5Id g(check(H5Gopen2(file_, "/metrics", H5P_DEFAULT), path_, "has no /metrics"));
  MetricRecord m;
  m.name = name;
  auto dims = dataset_dims(g, name, path_);
  int max_heads = 0;
  for (const auto& r : model_.mixers) max_heads = std::max(max_heads, r.heads);
  if (dims.size() != 2 || dims[0] != model_.mixers.size() || dims[1] != static_cast<hsize_t>(max_heads))
    damaged(path_, "metric " + name + " is not [" + std::to_string(model_.mixers.size()) + " mixers, " +
                       std::to_string(max_heads) + " heads]");
  m.rows = static_cast<int>(dims[0]);
  m.max_heads = static_cast<int>(dims[1]);
  m.values = read_float_dataset(g, name, path_);
  {
    H5Id d(check(H5Dopen2(g, name.c_str(), H5P_DEFAULT), path_, "has no metric " + name));
    if (has_attribute(d, "description")) m.description = read_string_attr(d, "description", path_);
  }
  for (float v : m.values)
    if (std::isinf(v)) damaged(path_, "metric " + name + " holds an infinite value");
  return m;
}

std::string ModelRecord::row_label(size_t row) const {
  if (row >= mixers.size()) return "(no mixer row " + std::to_string(row) + ")";
  const MixerRecord& m = mixers[row];
  return std::to_string(m.layer) + (mixers_in_layer(m.layer) > 1 ? "." + m.name : "");
}

int ModelRecord::find_row(int layer, const std::string& name) const {
  int found = -1, count = 0;
  for (size_t r = 0; r < mixers.size(); ++r) {
    if (mixers[r].layer != layer) continue;
    ++count;
    if (name.empty() || mixers[r].name == name) found = static_cast<int>(r);
  }
  return name.empty() && count != 1 ? -1 : found;
}

int ModelRecord::mixers_in_layer(int layer) const {
  int n = 0;
  for (const auto& m : mixers) n += m.layer == layer;
  return n;
}

}  // namespace attnscope::session
