#pragma once
// Opens a session lazily: the constructor reads metadata only; maps are read
// one head (or one tile) at a time on request. Works with no model present.
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/session/hdf5_handle.h"
#include "core/session/map_factors.h"
#include "core/session/session_data.h"

namespace attnscope::session {

// One head's map as a computation: factors and, for softmax, its row
// normalisers. compute() reads no file, so it may run on any thread.
struct FactorHead {
  std::shared_ptr<const MapFactors> factors;
  int head = 0;
  std::vector<float> normalisers;  // softmax: [2 * L]; empty for ssd (or not stored: computed row by row)
  // [L * L], a block of rows at a time; empty when `cancel` turned true meanwhile.
  std::vector<float> compute(const std::atomic<bool>* cancel = nullptr) const;
};

class SessionReader {
 public:
  // Throws attnscope::Error naming the file: not HDF5, truncated, not a
  // session, or written by a newer AttnScope.
  explicit SessionReader(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  hid_t file_id() const { return file_; }
  const SessionHeader& header() const { return header_; }
  const ModelRecord& model() const { return model_; }
  const PromptRecord& prompt() const { return prompt_; }
  const OutputRecord& outputs() const { return outputs_; }
  const std::vector<AblationRecord>& ablations() const { return ablations_; }
  int64_t length() const { return static_cast<int64_t>(prompt_.ids.size()); }

  // Mixer rows (model().mixers) whose maps the session gives: stored, or
  // computed from their factors (schema 3) when read.
  std::vector<int> rows_with_maps() const;
  bool has_maps(int row) const { return maps_stored(row) || has_factors(row); }
  bool maps_stored(int row) const { return row >= 0 && row < static_cast<int>(map_paths_.size()) && !map_paths_[row].empty(); }
  bool has_factors(int row) const {
    return row >= 0 && row < static_cast<int>(factor_paths_.size()) && !factor_paths_[row].empty();
  }
  const MixerRecord& mixer(int row) const;
  // "float16" | "float32" as stored; maps computed from factors are float32.
  std::string maps_dtype(int row) const;

  // One head's map [L * L] row-major, as float32: read where stored, else computed from the factors.
  std::vector<float> read_head(int row, int head) const;
  // A rectangle of it [rows * cols].
  std::vector<float> read_tile(int row, int head, int64_t row0, int64_t col0, int64_t rows, int64_t cols) const;
  // The pooled overview of a head (factor_store.h), n x n; size 0 when the session has none (older files).
  int overview_size(int row) const {
    return row >= 0 && row < static_cast<int>(overview_sizes_.size()) ? overview_sizes_[row] : 0;
  }
  std::vector<float> read_overview(int row, int head) const;
  // A head whose map is computed from its factors (no stored map): all a
  // worker thread needs to compute it without touching the file. std::nullopt
  // where the map is stored. Throws (one clear message) when an L x L map
  // would not fit in memory, before any work starts, unless only tiles of it
  // are wanted (`whole_map` false: the window's tiled view).
  std::optional<FactorHead> factor_head(int row, int head, bool whole_map = true) const;
  // The factors of a row that has them (read once, the last few rows kept).
  // Like every read here, not for several threads at once (HDF5 is not either).
  std::shared_ptr<const MapFactors> factors(int row) const;
  // An ablation's saved maps, when present.
  bool has_ablation_maps(int ablation, int row) const;
  std::vector<float> read_ablation_head(int ablation, int row, int head) const;

  std::vector<std::string> metric_names() const;
  MetricRecord metric(const std::string& name) const;

 private:
  std::vector<float> read_rect(const std::string& dataset, int head, int64_t row0, int64_t col0, int64_t rows,
                               int64_t cols) const;
  void read_model();
  void read_prompt();
  OutputRecord read_outputs(hid_t group, const std::string& where) const;
  // The mixer rows whose maps a /mixing group holds, each checked against the model and prompt.
  std::vector<int> find_maps(hid_t group, const std::string& where) const;
  // The layer a child `name` of `where` (layer_NNN, as written) stands for, checked against the model.
  int checked_layer(const std::string& name, const std::string& where) const;
  // Every <where>layer_NNN/<mixer> entry, each a mixer of the model: visit(layer group, mixer, "<where>layer_NNN/", row).
  void for_each_mixer_entry(
      hid_t group, const std::string& where,
      const std::function<void(hid_t layer_group, const std::string& mixer, const std::string& prefix, int row)>& visit) const;
  void check_map_dataset(hid_t group, const std::string& name, const std::string& where, int row) const;
  // Where row's maps are under `root` ("/mixing", "/ablations/2/mixing") in this file's schema.
  std::string map_path(const std::string& root, int row) const;
  std::filesystem::path path_;
  H5Id file_;
  SessionHeader header_;
  ModelRecord model_;
  PromptRecord prompt_;
  OutputRecord outputs_;
  std::vector<AblationRecord> ablations_;
  // A computed tile: the row's factors and the head's row normalisers, cached.
  std::vector<float> compute_rect(int row, int head, int64_t row0, int64_t col0, int64_t rows, int64_t cols) const;
  void find_factors();
  // A softmax head's row normalisers (cached per head; read from the file or computed); null for ssd.
  const std::vector<float>* head_normalisers(int row, int head) const;
  void find_overviews();
  std::vector<int> overview_sizes_;  // per mixer row; 0: none
  std::vector<std::string> overview_paths_;  // per mixer row, as checked
  std::vector<std::string> map_paths_;  // per mixer row; empty: no maps
  std::vector<std::string> factor_paths_;  // per mixer row; empty: no factors
  struct FactorCache {
    int row = -1;
    std::shared_ptr<const MapFactors> factors;
    std::map<int, std::vector<float>> normalisers;  // by head
  };
  mutable std::vector<FactorCache> factor_cache_;  // most recent first, at most kFactorRowsKept
  static constexpr size_t kFactorRowsKept = 2;
};

}  // namespace attnscope::session
