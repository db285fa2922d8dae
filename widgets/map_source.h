#pragma once
// A map the heatmap does not hold whole (a long prompt's head, computed from
// a session's factors): the view asks for the region on show at screen
// resolution, off the window's thread, and for single rows and cells on it.
#include <QPoint>
#include <QVector>
#include <atomic>
#include <vector>

#include "widgets/figure_composer.h"
#include "widgets/map_display.h"

namespace attnscope::widgets {

struct PooledRequest {
  MapRegion region;       // cells; never empty
  int rows = 1, cols = 1;  // pixels: at most the region's cells
  DisplayOptions display;
  bool whole_map = false;  // also the colour range, signedness and sharp cells of the whole map
};

struct PooledMap {
  std::vector<float> pixels;  // rows x cols as drawn (row-normalised, diagonal hidden), NaN: nothing drawn
  int rows = 0, cols = 0;
  MapRegion region;
  // whole_map only:
  ValueRange range;
  bool is_signed = false;
  QVector<QPoint> marks;  // (col, row) of sharp transitions
};

class MapSource {
 public:
  virtual ~MapSource() = default;
  virtual int length() const = 0;
  // Each pixel the covered cell of largest |weight| as displayed. Any thread;
  // empty pixels when `cancel` turned true meanwhile.
  virtual PooledMap pooled(const PooledRequest& request, const std::atomic<bool>* cancel) const = 0;
  // Row i's raw weights, keys [0, length) (0 after the query). Quick: the window's thread.
  virtual std::vector<float> row(int i) const = 0;
  virtual float cell(int i, int j) const = 0;
  // The whole map [L * L], for what needs it (export, compare): slow at long L; throws when it would not fit.
  virtual std::vector<float> whole() const = 0;
  // Raw weights of the cells of `region` (resolved: no -1 ends), row-major:
  // a zoomed figure's. Throws when they would not fit in memory.
  virtual std::vector<float> region(const MapRegion& region) const = 0;
};

}  // namespace attnscope::widgets
