#pragma once
// Streams a session to disk: each layer's maps are written (compressed on all
// cores) as soon as the forward pass produces them, so memory stays bounded by
// one layer. Everything goes to a temporary file beside the target, renamed
// over it by commit(); a crash or a cancelled run leaves the user's file as it
// was. amend() adds to an existing session the same way (copy, add, rename).
#include <cstdint>
#include <filesystem>
#include <string>

#include "core/session/hdf5_handle.h"
#include "core/session/map_factors.h"
#include "core/session/session_data.h"
#include "core/util/atomic_output.h"

namespace attnscope::session {

struct WriteOptions {
  bool float32 = false;   // maps as float32 instead of float16
  int tile = 256;         // chunk = (1, tile, tile)
  int deflate_level = 0;  // 0: Huffman only (fastest); 1-9: zlib levels
  int threads = 0;        // 0: every core
};

class SessionWriter {
 public:
  static SessionWriter create(const std::filesystem::path& path, const WriteOptions& options = {});
  // A copy of `source` with more added, committed to `target` (which may be `source`).
  static SessionWriter amend(const std::filesystem::path& source, const std::filesystem::path& target,
                             const WriteOptions& options = {});
  static SessionWriter amend(const std::filesystem::path& path, const WriteOptions& options = {}) {
    return amend(path, path, options);
  }
  SessionWriter(SessionWriter&&) noexcept;
  SessionWriter& operator=(SessionWriter&&) = delete;
  ~SessionWriter();  // without commit(): the temporary file is removed

  void write_model(const ModelRecord& model);
  void write_prompt(const PromptRecord& prompt);
  // One mixer's maps at /mixing/layer_NNN/<record.name>: [heads, L, L]
  // row-major float32 (converted to float16 unless options.float32).
  void write_maps(const MixerRecord& record, const float* maps, int heads, int64_t length);
  // Same, already float16 (IEEE half bits), e.g. converted on the GPU.
  void write_maps_half(const MixerRecord& record, const uint16_t* maps, int heads, int64_t length);
  // What one mixer's maps are computed from, at /factors/layer_NNN/<record.name>
  // (core/session/map_factors.h): with them a head's map needs no /mixing
  // dataset. Marks the file schema 3 (older readers would not see such maps).
  // A softmax mixer's `row_normalisers` [heads, L, 2], when given, are kept beside them.
  void write_factors(const MixerRecord& record, const MapFactors& factors,
                     const std::vector<float>* row_normalisers = nullptr);
  // One mixer's overview at /overview/layer_NNN/<record.name>: [heads, size, size]
  // (factor_store.h), what the grid and a first paint show without reading maps.
  void write_overview(const MixerRecord& record, const float* values, int heads, int size);
  void write_outputs(const OutputRecord& outputs);
  void write_metric(const MetricRecord& metric);
  // Adds /ablations/<n> and returns n (the next free number, or `index`
  // when given: one whose maps were written first); maps go in with write_ablation_maps.
  int write_ablation(const AblationRecord& ablation, int index = -1);
  // The number the next write_ablation takes: write the ablated run's maps
  // layer by layer as they come, then its record under the same number.
  int next_ablation_index();
  void write_ablation_maps(int ablation, const MixerRecord& record, const float* maps, int heads, int64_t length);
  void write_ablation_maps_half(int ablation, const MixerRecord& record, const uint16_t* maps, int heads, int64_t length);
  void commit();

  const std::filesystem::path& target() const { return output_.target(); }

 private:
  SessionWriter(const std::filesystem::path& target, WriteOptions options);
  void write_dataset(const std::string& group, const MixerRecord& record, const void* maps, size_t element_size,
                     int heads, int64_t length);
  hid_t group(const std::string& path);  // opens or creates

  files::AtomicOutput output_;  // the temp file beside the target, renamed over it by commit()
  std::filesystem::path target_;
  WriteOptions options_;
  H5Id file_;
  bool committed_ = false;
};

std::string now_iso8601();

}  // namespace attnscope::session
