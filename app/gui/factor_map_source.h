#pragma once
// A long prompt's head as the heatmap's MapSource: the region on show, a row
// or a cell is computed from the session's factors when asked, so the window
// never holds (or waits for) the whole L x L map.
#include <memory>
#include <mutex>

#include "core/session/selective_maps.h"
#include "core/session/session_reader.h"
#include "widgets/map_source.h"

namespace attnscope::gui {

class FactorMapSource : public widgets::MapSource {
 public:
  explicit FactorMapSource(session::FactorHead head);
  int length() const override { return static_cast<int>(head_.factors->length); }
  widgets::PooledMap pooled(const widgets::PooledRequest& request, const std::atomic<bool>* cancel) const override;
  std::vector<float> row(int i) const override;
  float cell(int i, int j) const override;
  std::vector<float> whole() const override;
  std::vector<float> region(const widgets::MapRegion& region) const override;

 private:
  // A softmax head's row normalisers: stored ones, or computed by the first
  // raster (off the window's thread); null while unknown (cells then compute their rows').
  std::shared_ptr<const std::vector<float>> normalisers() const;
  std::shared_ptr<const std::vector<float>> ensure_normalisers() const;
  // A Mamba-1 head's steps and their running sums over the whole prompt,
  // computed by the first raster: a tile computed alone would compute its
  // own span's again (a softplus per position and channel). Null while unknown.
  std::shared_ptr<const session::ChannelDecays> decays() const;
  std::shared_ptr<const session::ChannelDecays> ensure_decays() const;
  // Cells [r0, r0 + rows) x [c0, c0 + cols) with what is known so far;
  // `columns`: a Mamba-1 region's columns, kept from band to band (or null).
  void tile(int64_t r0, int64_t c0, int64_t rows, int64_t cols, float* out, const std::vector<float>* norms,
            const session::ChannelDecays* steps, session::SelectiveColumns* columns = nullptr) const;

  session::FactorHead head_;
  // The whole map once made (compare, diff and export may each ask): 256 MB at 8192 tokens.
  mutable std::mutex whole_mutex_;
  mutable std::shared_ptr<const std::vector<float>> whole_;
  mutable std::mutex normalisers_mutex_;
  mutable std::shared_ptr<const std::vector<float>> normalisers_;
  mutable std::shared_ptr<const session::ChannelDecays> decays_;
};

}  // namespace attnscope::gui
