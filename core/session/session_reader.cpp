#include "core/session/session_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/session/chunk_reader.h"
#include "core/session/half_float.h"
#include "core/session/structure_check.h"
#include "core/util/error.h"
#include "core/util/input_file.h"
#include "core/util/memory.h"

namespace attnscope::session {
namespace fs = std::filesystem;

namespace {
std::string layer_path(int layer) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "/mixing/layer_%03d", layer);
  return buf;
}

std::vector<std::string> child_names(hid_t group) {
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
  if (has_link(file_, "/mixing")) {
    H5Id g(check(H5Gopen2(file_, "/mixing", H5P_DEFAULT), path, "cannot open /mixing"));
    for (const auto& name : child_names(g)) {
      const int layer = check_map_dataset(g, name, "/mixing/");
      H5Id set(check(H5Dopen2(g, name.c_str(), H5P_DEFAULT), path, "cannot open " + name));
      LayerRecord r;
      r.kind = read_string_attr(set, "kind", path);
      r.description = read_string_attr(set, "description", path);
      r.heads = model_.layers[layer].heads;
      layers_[layer] = r;
    }
  }
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
      r.target_logprob_delta = read_double_attr(a, "target_logprob_delta", path);
      if (std::isinf(r.target_logprob_delta)) damaged(path, where + " has an infinite log-probability change");
      r.outputs = read_outputs(a, where);
      if (has_link(a, "mixing")) {
        H5Id m(check(H5Gopen2(a, "mixing", H5P_DEFAULT), path, "cannot open " + where + "/mixing"));
        for (const auto& name : child_names(m)) r.map_layers.push_back(check_map_dataset(m, name, where + "/mixing/"));
      }
      ablations_.push_back(r);
    }
  }
}

int SessionReader::check_map_dataset(hid_t group, const std::string& name, const std::string& where) const {
  const int layer = parse_layer_name(name);
  if (layer < 0 || layer >= static_cast<int>(model_.layers.size()))
    damaged(path_, where + name + " names no layer of this " + std::to_string(model_.layers.size()) + "-layer model");
  H5Id set(check(H5Dopen2(group, name.c_str(), H5P_DEFAULT), path_, "cannot open " + where + name));
  const auto dims = dims_of(set);
  const auto L = static_cast<hsize_t>(length());
  const auto heads = static_cast<hsize_t>(model_.layers[layer].heads);
  if (dims.size() != 3 || dims[0] != heads || dims[1] != L || dims[2] != L)
    damaged(path_, where + name + " is not [" + std::to_string(heads) + ", " + std::to_string(L) + ", " +
                       std::to_string(L) + "] as the model and prompt say");
  if (has_attribute(set, "heads") && read_int_attr(set, "heads", path_) != static_cast<int64_t>(heads))
    damaged(path_, where + name + " says it has " + std::to_string(read_int_attr(set, "heads", path_)) + " heads, not " +
                       std::to_string(heads));
  H5Id type(H5Dget_type(set));
  if (H5Tget_class(type) != H5T_FLOAT || (H5Tget_size(type) != 2 && H5Tget_size(type) != 4))
    damaged(path_, where + name + " does not hold float16 or float32 maps");
  return layer;
}

void SessionReader::read_model() {
  if (!has_link(file_, "/model")) fail_file(path_, "has no /model group: damaged session");
  H5Id g(check(H5Gopen2(file_, "/model", H5P_DEFAULT), path_, "cannot open /model"));
  model_.family = read_string_attr(g, "family", path_);
  model_.source = read_string_attr(g, "source", path_);
  model_.dtype = read_string_attr(g, "dtype", path_);
  model_.device = read_string_attr(g, "device", path_);
  model_.config_json = read_single_string(g, "config_json", path_);
  const auto kinds = read_string_dataset(g, "layer_kinds", path_);
  const auto descriptions = read_string_dataset(g, "layer_descriptions", path_);
  const auto heads = read_int64_dataset(g, "layer_heads", path_);
  if (heads.empty()) damaged(path_, "/model lists no layers");
  if (kinds.size() != heads.size() || descriptions.size() != heads.size())
    damaged(path_, "/model layer tables disagree in length");
  if (has_attribute(g, "num_layers") && read_int_attr(g, "num_layers", path_) != static_cast<int64_t>(heads.size()))
    damaged(path_, "/model says " + std::to_string(read_int_attr(g, "num_layers", path_)) + " layers but lists " +
                       std::to_string(heads.size()));
  // Optional tables (older writers of schema 1 did not have them).
  const auto channels = has_link(g, "layer_channels_per_head") ? read_int64_dataset(g, "layer_channels_per_head", path_)
                                                               : std::vector<int64_t>(heads.size(), 1);
  const auto views = has_link(g, "layer_views") ? read_string_dataset(g, "layer_views", path_)
                                                : std::vector<std::string>(heads.size(), "direct");
  if (channels.size() != heads.size() || views.size() != heads.size())
    damaged(path_, "/model layer tables disagree in length");
  for (size_t i = 0; i < kinds.size(); ++i) {
    if (heads[i] < 1 || heads[i] > kMaxHeads)
      damaged(path_, "/model gives layer " + std::to_string(i) + " " + std::to_string(heads[i]) + " heads");
    if (channels[i] < 1 || channels[i] > kMaxHeads)
      damaged(path_, "/model gives layer " + std::to_string(i) + " " + std::to_string(channels[i]) + " channels per head");
    if (views[i] != "direct" && views[i] != "effective")
      damaged(path_, "/model gives layer " + std::to_string(i) + " the unknown view '" + views[i] + "'");
    model_.layers.push_back({kinds[i], static_cast<int>(heads[i]), descriptions[i], static_cast<int>(channels[i]), views[i]});
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

std::vector<int> SessionReader::layers_with_maps() const {
  std::vector<int> out;
  for (const auto& [l, _] : layers_) out.push_back(l);
  return out;
}

const LayerRecord& SessionReader::layer(int layer) const {
  auto it = layers_.find(layer);
  if (it == layers_.end()) fail_file(path_, "holds no maps for layer " + std::to_string(layer));
  return it->second;
}

std::string SessionReader::maps_dtype(int layer) const {
  (void)this->layer(layer);
  H5Id set(H5Dopen2(file_, layer_path(layer).c_str(), H5P_DEFAULT));
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
  std::vector<float> out(n);
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

std::vector<float> SessionReader::read_head(int layer, int head) const {
  (void)this->layer(layer);
  return read_rect(layer_path(layer), head, 0, 0, length(), length());
}

std::vector<float> SessionReader::read_tile(int layer, int head, int64_t row0, int64_t col0, int64_t rows,
                                            int64_t cols) const {
  (void)this->layer(layer);
  return read_rect(layer_path(layer), head, row0, col0, rows, cols);
}

bool SessionReader::has_ablation_maps(int ablation, int layer) const {
  if (ablation < 0 || ablation >= static_cast<int>(ablations_.size())) return false;
  const auto& l = ablations_[ablation].map_layers;
  return std::find(l.begin(), l.end(), layer) != l.end();
}

std::vector<float> SessionReader::read_ablation_head(int ablation, int layer, int head) const {
  if (!has_ablation_maps(ablation, layer))
    fail_file(path_, "holds no maps of layer " + std::to_string(layer) + " for ablation " + std::to_string(ablation));
  return read_rect("/ablations/" + std::to_string(ablation) + layer_path(layer), head, 0, 0, length(), length());
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
  for (const auto& l : model_.layers) max_heads = std::max(max_heads, l.heads);
  if (dims.size() != 2 || dims[0] != model_.layers.size() || dims[1] != static_cast<hsize_t>(max_heads))
    damaged(path_, "metric " + name + " is not [" + std::to_string(model_.layers.size()) + " layers, " +
                       std::to_string(max_heads) + " heads]");
  m.layers = static_cast<int>(dims[0]);
  m.max_heads = static_cast<int>(dims[1]);
  m.values = read_float_dataset(g, name, path_);
  for (float v : m.values)
    if (std::isinf(v)) damaged(path_, "metric " + name + " holds an infinite value");
  return m;
}

}  // namespace attnscope::session
