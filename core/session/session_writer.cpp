#include "core/session/session_writer.h"

#include "core/session/factor_store.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <ctime>
#include <vector>

#include "attnscope/version.h"
#include "core/session/chunk_codec.h"
#include "core/session/half_float.h"
#include "core/util/error.h"
#include "core/util/input_file.h"
#include "core/util/parallel.h"

namespace attnscope::session {
namespace fs = std::filesystem;

std::string now_iso8601() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {
std::string layer_name(int layer) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "layer_%03d", layer);
  return buf;
}

struct Tile {
  hsize_t offset[3];
  std::vector<uint8_t> compressed;  // empty: all zeros, left unwritten (reads as the fill value 0)
};
}  // namespace

SessionWriter::SessionWriter(const fs::path& target, WriteOptions options)
    : output_(target), target_(target), options_(options) {}

SessionWriter::SessionWriter(SessionWriter&& o) noexcept
    : output_(std::move(o.output_)),
      target_(std::move(o.target_)),
      options_(o.options_),
      file_(std::move(o.file_)),
      committed_(o.committed_) {
  o.committed_ = true;  // the moved-from writer owns no file
}

SessionWriter SessionWriter::create(const fs::path& path, const WriteOptions& options) {
  silence_hdf5_errors();
  SessionWriter w(path, options);
  w.file_ = H5Id(H5Fcreate(w.output_.temp().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  if (!w.file_.valid()) fail_file(path, "cannot create a session file here (folder missing or read-only?)");
  write_string_attr(w.file_, "format", kFormatName);
  write_int_attr(w.file_, "schema_version", kSchemaWithoutFactors);
  write_string_attr(w.file_, "app_version", ATTNSCOPE_VERSION);
  write_string_attr(w.file_, "created", now_iso8601());
  return w;
}

SessionWriter SessionWriter::amend(const fs::path& source, const fs::path& target, const WriteOptions& options) {
  silence_hdf5_errors();
  files::require_regular_file(source);
  SessionWriter w(target, options);
  std::error_code ec;
  fs::copy_file(source, w.output_.temp(), fs::copy_options::overwrite_existing, ec);
  if (ec) fail_file(source, "cannot copy the session to amend it: " + ec.message());
  w.file_ = H5Id(H5Fopen(w.output_.temp().c_str(), H5F_ACC_RDWR, H5P_DEFAULT));
  if (!w.file_.valid()) fail_file(source, "cannot be opened for amending (not a session, or damaged)");
  return w;
}

SessionWriter::~SessionWriter() {
  if (committed_) return;
  close_after_failure(file_);
  output_.discard();
}

hid_t SessionWriter::group(const std::string& path) {
  // Creates each missing level; returns an id the caller must close (wrapped below).
  std::string so_far;
  size_t start = 0;
  while (start < path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    so_far += "/" + path.substr(start, end - start);
    if (!has_link(file_, so_far)) H5Id(H5Gcreate2(file_, so_far.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    start = end + 1;
  }
  return check(H5Gopen2(file_, ("/" + path).c_str(), H5P_DEFAULT), target_, "cannot open group " + path);
}

void SessionWriter::write_model(const ModelRecord& model) {
  H5Id g(group("model"));
  write_string_attr(g, "family", model.family);
  write_string_attr(g, "source", model.source);
  write_string_attr(g, "dtype", model.dtype);
  write_string_attr(g, "device", model.device);
  write_int_attr(g, "num_layers", static_cast<int64_t>(model.layer_descriptions.size()));
  write_string_dataset(g, "config_json", {model.config_json});
  write_string_dataset(g, "layer_descriptions", model.layer_descriptions);
  // The mixer table: one row per mixer, in layer order.
  std::vector<std::string> names, kinds, descriptions, views;
  std::vector<int64_t> layers, heads, channels;
  for (const auto& m : model.mixers) {
    layers.push_back(m.layer), names.push_back(m.name), kinds.push_back(m.kind), heads.push_back(m.heads);
    descriptions.push_back(m.description), channels.push_back(m.channels_per_head), views.push_back(m.view);
  }
  write_int64_dataset(g, "mixer_layers", layers);
  write_string_dataset(g, "mixer_names", names);
  write_string_dataset(g, "mixer_kinds", kinds);
  write_int64_dataset(g, "mixer_heads", heads);
  write_string_dataset(g, "mixer_descriptions", descriptions);
  write_int64_dataset(g, "mixer_channels_per_head", channels);
  write_string_dataset(g, "mixer_views", views);
  // "3:softmax_attention,5:...", only where some mixer has such heads, so other sessions are as before.
  std::vector<std::string> other_kinds;
  bool any = false;
  for (const auto& m : model.mixers) {
    std::string list;
    for (const auto& [head, kind] : m.head_kinds) list += (list.empty() ? "" : ",") + std::to_string(head) + ":" + kind;
    any |= !list.empty();
    other_kinds.push_back(list);
  }
  if (any) write_string_dataset(g, "mixer_head_kinds", other_kinds);
}

void SessionWriter::write_prompt(const PromptRecord& prompt) {
  H5Id g(group("prompt"));
  write_string_dataset(g, "text", {prompt.text});  // for display: valid UTF-8
  write_bytes_dataset(g, "text_bytes", prompt.text);  // exactly as given (NUL, any byte)
  write_int64_dataset(g, "token_ids", prompt.ids);
  write_string_dataset(g, "tokens", prompt.tokens);
  if (!prompt.byte_spans.empty())
    write_int64_dataset(g, "byte_spans", prompt.byte_spans, {prompt.byte_spans.size() / 2, 2});
}

void SessionWriter::write_maps(const MixerRecord& record, const float* maps, int heads, int64_t length) {
  if (options_.float32) {
    write_dataset("mixing/" + layer_name(record.layer), record, maps, 4, heads, length);
    return;
  }
  std::vector<uint16_t> half(static_cast<size_t>(heads) * length * length);
  floats_to_halves(maps, half.data(), half.size());
  write_dataset("mixing/" + layer_name(record.layer), record, half.data(), 2, heads, length);
}

void SessionWriter::write_maps_half(const MixerRecord& record, const uint16_t* maps, int heads, int64_t length) {
  write_dataset("mixing/" + layer_name(record.layer), record, maps, 2, heads, length);
}

void SessionWriter::write_dataset(const std::string& group_path, const MixerRecord& record, const void* maps,
                                  size_t element_size, int heads, int64_t length) {
  H5Id parent(group(group_path));
  const std::string name = record.name;
  const hsize_t L = static_cast<hsize_t>(length);
  const hsize_t T = std::min<hsize_t>(static_cast<hsize_t>(options_.tile), L);
  const hsize_t dims[3] = {static_cast<hsize_t>(heads), L, L};
  const hsize_t chunk[3] = {1, T, T};
  H5Id dcpl(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_chunk(dcpl, 3, chunk);
  H5Pset_shuffle(dcpl);
  H5Pset_deflate(dcpl, static_cast<unsigned>(std::max(1, options_.deflate_level)));
  H5Id space(H5Screate_simple(3, dims, nullptr));
  const hid_t type = element_size == 2 ? float16_type() : H5T_IEEE_F32LE;
  if (has_link(parent, name)) H5Ldelete(parent, name.c_str(), H5P_DEFAULT);
  H5Id set(check(H5Dcreate2(parent, name.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), target_,
                 "cannot create dataset " + name));
  write_string_attr(set, "kind", record.kind);
  write_string_attr(set, "description", record.description);
  write_int_attr(set, "layer", record.layer);
  write_int_attr(set, "heads", heads);
  write_int_attr(set, "channels_per_head", record.channels_per_head);
  write_string_attr(set, "view", record.view);

  // Cut into tiles, compress every non-zero tile on all cores, then write in order.
  const hsize_t tiles_per_side = (L + T - 1) / T;
  std::vector<Tile> tiles;
  for (hsize_t h = 0; h < dims[0]; ++h)
    for (hsize_t ti = 0; ti < tiles_per_side; ++ti)
      for (hsize_t tj = 0; tj < tiles_per_side; ++tj) tiles.push_back(Tile{{h, ti * T, tj * T}, {}});
  const auto* bytes = static_cast<const uint8_t*>(maps);
  std::atomic<size_t> next{0};
  auto work = [&] {
    std::vector<uint8_t> tile(T * T * element_size), shuffled(tile.size());
    for (size_t i = next++; i < tiles.size(); i = next++) {
      Tile& t = tiles[i];
      std::fill(tile.begin(), tile.end(), 0);  // edge tiles are stored full size, zero padded
      bool any = false;
      const hsize_t rows = std::min(T, L - t.offset[1]), cols = std::min(T, L - t.offset[2]);
      for (hsize_t r = 0; r < rows; ++r) {
        const uint8_t* src = bytes + ((t.offset[0] * L + t.offset[1] + r) * L + t.offset[2]) * element_size;
        std::memcpy(tile.data() + r * T * element_size, src, cols * element_size);
        for (size_t b = 0; b < cols * element_size && !any; ++b) any = src[b] != 0;
      }
      if (!any) continue;
      shuffle_bytes(tile.data(), shuffled.data(), T * T, element_size);
      t.compressed = deflate_bytes(shuffled.data(), shuffled.size(), options_.deflate_level);
    }
  };
  const int threads = options_.threads > 0 ? options_.threads : static_cast<int>(machine_cores());
  run_in_parallel(threads, work);
  for (const auto& t : tiles) {
    if (t.compressed.empty()) continue;
    check_status(H5Dwrite_chunk(set, H5P_DEFAULT, 0, t.offset, t.compressed.size(), t.compressed.data()), target_,
                 "write failed (disk full?)");
  }
}

void SessionWriter::write_factors(const MixerRecord& record, const MapFactors& factors,
                                  const std::vector<float>* row_normalisers) {
  H5Id g(group("factors/" + layer_name(record.layer) + "/" + record.name));
  write_factor_group(g, factors, row_normalisers);
  write_int_attr(file_, "schema_version", kSchemaVersion);
}

void SessionWriter::write_overview(const MixerRecord& record, const float* values, int heads, int size) {
  H5Id g(group("overview/" + layer_name(record.layer)));
  write_overview_dataset(g, record.name, values, heads, size);
}

void SessionWriter::write_outputs(const OutputRecord& outputs) {
  H5Id g(group("outputs"));
  std::vector<int64_t> ids;
  std::vector<float> probs;
  std::vector<std::string> tokens;
  for (const auto& t : outputs.top) ids.push_back(t.id), probs.push_back(static_cast<float>(t.prob)), tokens.push_back(t.token);
  for (const char* n : {"topk_ids", "topk_probs", "topk_tokens", "final_logits"})
    if (has_link(g, n)) H5Ldelete(g, n, H5P_DEFAULT);
  write_int64_dataset(g, "topk_ids", ids);
  write_float_dataset(g, "topk_probs", probs);
  write_string_dataset(g, "topk_tokens", tokens);
  if (!outputs.final_logits.empty()) write_float_dataset(g, "final_logits", outputs.final_logits);
  write_int_attr(g, "target_id", outputs.target);
  write_double_attr(g, "target_logprob", outputs.target_logprob);
}

void SessionWriter::write_metric(const MetricRecord& metric) {
  H5Id g(group("metrics"));
  if (has_link(g, metric.name)) H5Ldelete(g, metric.name.c_str(), H5P_DEFAULT);
  write_float_dataset(g, metric.name, metric.values,
                      {static_cast<hsize_t>(metric.rows), static_cast<hsize_t>(metric.max_heads)});
  if (!metric.description.empty()) {
    H5Id d(H5Dopen2(g, metric.name.c_str(), H5P_DEFAULT));
    write_string_attr(d, "description", metric.description);
  }
}

int SessionWriter::next_ablation_index() {
  H5Id parent(group("ablations"));
  int n = 0;
  while (has_link(parent, std::to_string(n))) ++n;
  return n;
}

int SessionWriter::write_ablation(const AblationRecord& ablation, int index) {
  const int n = index >= 0 ? index : next_ablation_index();
  H5Id g(group("ablations/" + std::to_string(n)));
  write_string_attr(g, "spec", ablation.spec);
  write_double_attr(g, "target_logprob_delta", ablation.target_logprob_delta);
  std::vector<int64_t> ids;
  std::vector<float> probs;
  std::vector<std::string> tokens;
  for (const auto& t : ablation.outputs.top) ids.push_back(t.id), probs.push_back(static_cast<float>(t.prob)), tokens.push_back(t.token);
  write_int64_dataset(g, "topk_ids", ids);
  write_float_dataset(g, "topk_probs", probs);
  write_string_dataset(g, "topk_tokens", tokens);
  if (!ablation.outputs.final_logits.empty()) write_float_dataset(g, "final_logits", ablation.outputs.final_logits);
  write_int_attr(g, "target_id", ablation.outputs.target);
  write_double_attr(g, "target_logprob", ablation.outputs.target_logprob);
  return n;
}

void SessionWriter::write_ablation_maps(int ablation, const MixerRecord& record, const float* maps, int heads,
                                       int64_t length) {
  std::vector<uint16_t> half(static_cast<size_t>(heads) * length * length);
  floats_to_halves(maps, half.data(), half.size());
  write_ablation_maps_half(ablation, record, half.data(), heads, length);
}

void SessionWriter::write_ablation_maps_half(int ablation, const MixerRecord& record, const uint16_t* maps, int heads,
                                            int64_t length) {
  write_dataset("ablations/" + std::to_string(ablation) + "/mixing/" + layer_name(record.layer), record, maps, 2, heads,
                length);
}

void SessionWriter::commit() {
  if (committed_) return;
  check_status(H5Fflush(file_, H5F_SCOPE_GLOBAL), target_, "write failed (disk full?)");
  // H5Fclose writes the last metadata: its failure is a failed write too.
  if (H5Fclose(file_.release()) < 0) fail_file(target_, "write failed (disk full?)");
  output_.commit();
  committed_ = true;
}

}  // namespace attnscope::session
