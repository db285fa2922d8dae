#include "app/gui/factor_map_source.h"

#include <algorithm>
#include <string>

#include "core/mixing/head_metrics.h"
#include "core/session/map_factors.h"
#include "core/session/map_raster.h"
#include "core/util/memory.h"

namespace attnscope::gui {

namespace {
// `slot` under `mutex`, computed by `compute` the first time (outside the lock:
// two threads may both compute it, the same numbers; the first kept wins).
template <class T, class Compute>
std::shared_ptr<const T> computed_once(std::mutex& mutex, std::shared_ptr<const T>& slot, const Compute& compute) {
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (slot) return slot;
  }
  auto made = std::make_shared<const T>(compute());
  const std::lock_guard<std::mutex> lock(mutex);
  if (!slot) slot = std::move(made);
  return slot;
}
}  // namespace

FactorMapSource::FactorMapSource(session::FactorHead head) : head_(std::move(head)) {
  // Kept once, here; whole() hands them back to the head it computes.
  if (!head_.normalisers.empty()) normalisers_ = std::make_shared<const std::vector<float>>(std::move(head_.normalisers));
  head_.normalisers.clear();
}

std::shared_ptr<const std::vector<float>> FactorMapSource::normalisers() const {
  const std::lock_guard<std::mutex> lock(normalisers_mutex_);
  return normalisers_;
}

std::shared_ptr<const std::vector<float>> FactorMapSource::ensure_normalisers() const {
  if (head_.factors->form != session::FactorForm::Softmax) return nullptr;
  return computed_once(normalisers_mutex_, normalisers_,
                       [&] { return session::row_log_normalisers(*head_.factors, head_.head); });
}

std::shared_ptr<const session::ChannelDecays> FactorMapSource::decays() const {
  const std::lock_guard<std::mutex> lock(normalisers_mutex_);
  return decays_;
}

std::shared_ptr<const session::ChannelDecays> FactorMapSource::ensure_decays() const {
  if (head_.factors->form != session::FactorForm::Selective) return nullptr;
  return computed_once(normalisers_mutex_, decays_,
                       [&] { return session::channel_decays(*head_.factors, head_.head, 0, head_.factors->length); });
}

void FactorMapSource::tile(int64_t r0, int64_t c0, int64_t rows, int64_t cols, float* out,
                           const std::vector<float>* norms, const session::ChannelDecays* steps,
                           session::SelectiveColumns* columns) const {
  const auto& f = *head_.factors;
  if (steps)
    session::selective_tile(f.left.data(), f.right.data(), f.A.data(), f.dim, *steps, r0, c0, rows, cols, out, columns);
  else
    session::compute_tile(f, head_.head, r0, c0, rows, cols, out, norms);
}

widgets::PooledMap FactorMapSource::pooled(const widgets::PooledRequest& request, const std::atomic<bool>* cancel) const {
  const auto norms = ensure_normalisers();
  const auto steps = ensure_decays();
  if (cancel && cancel->load()) return {};
  session::SelectiveColumns columns;  // the region's columns, computed for its first band of rows
  const auto cells = [&](int64_t r0, int64_t c0, int64_t rows, int64_t cols, float* out) {
    tile(r0, c0, rows, cols, out, norms.get(), steps.get(), &columns);
  };
  session::RasterRequest q;
  q.row_begin = request.region.row_begin, q.row_end = request.region.row_end;
  q.col_begin = request.region.col_begin, q.col_end = request.region.col_end;
  q.out_rows = request.rows, q.out_cols = request.cols;
  q.row_normalise = request.display.row_normalise;
  q.hide_diagonal = request.display.hide_diagonal;
  q.figures = request.whole_map;
  q.sample_magnitudes = request.whole_map && request.display.clip_percentile < 100;
  std::mutex marking;
  std::vector<std::pair<int64_t, int64_t>> sharp;
  session::RowVisitor visit;
  if (request.whole_map)
    visit = [&](int64_t i, const float* weights, int64_t) {
      thread_local std::vector<std::pair<int64_t, int64_t>> found;
      found.clear();
      mixing::append_sharp_cells(weights, i, found);
      if (found.empty()) return;
      const std::lock_guard<std::mutex> lock(marking);
      sharp.insert(sharp.end(), found.begin(), found.end());
    };
  session::Raster raster = session::raster_region(cells, head_.factors->length, q, cancel, visit);
  if (raster.pixels.empty()) return {};

  widgets::PooledMap out;
  out.pixels = std::move(raster.pixels);
  out.rows = raster.rows, out.cols = raster.cols;
  out.region = request.region;
  if (request.whole_map) {
    auto& f = raster.figures;
    out.is_signed = f.raw_lowest < -1e-3 * f.raw_largest;  // as widgets::has_signed_weights
    out.range = f.any ? widgets::display_range(f.lowest, f.highest, f.smallest_positive, out.is_signed,
                                               f.magnitude_sample, request.display)
                      : widgets::ValueRange{0, 1};
    std::sort(sharp.begin(), sharp.end());  // bands finish in any order; the window's list is by row
    out.marks.reserve(static_cast<int>(sharp.size()));
    for (const auto& [i, j] : sharp) out.marks.append(QPoint(static_cast<int>(j), static_cast<int>(i)));
  }
  return out;
}

std::vector<float> FactorMapSource::row(int i) const {
  const int64_t L = head_.factors->length;
  std::vector<float> out(static_cast<size_t>(L), 0.f);
  if (i < 0 || i >= L) return out;
  tile(i, 0, 1, i + 1, out.data(), normalisers().get(), decays().get());
  return out;
}

float FactorMapSource::cell(int i, int j) const {
  float out = 0;
  if (i < 0 || j < 0 || j > i || i >= head_.factors->length) return out;
  tile(i, j, 1, 1, &out, normalisers().get(), decays().get());
  return out;
}

std::vector<float> FactorMapSource::region(const widgets::MapRegion& r) const {
  const int64_t rows = r.row_end - r.row_begin, cols = r.col_end - r.col_begin;
  require_memory(double(rows) * cols * 4, std::to_string(rows) + " x " + std::to_string(cols) + " cells of this head",
                 "zoom in further, or close other programs");
  const auto norms = ensure_normalisers();
  const auto steps = ensure_decays();
  std::vector<float> out(static_cast<size_t>(rows * cols));
  tile(r.row_begin, r.col_begin, rows, cols, out.data(), norms.get(), steps.get());
  return out;
}

std::vector<float> FactorMapSource::whole() const {
  const double L = static_cast<double>(head_.factors->length);
  return *computed_once(whole_mutex_, whole_, [&] {
    require_memory(2 * L * L * 4, "the whole " + std::to_string(head_.factors->length) + " x " +
                                  std::to_string(head_.factors->length) + " map of this head",
                   "the head tab draws it region by region without it; close other programs to compare, diff or export it");
    session::FactorHead head = head_;
    if (auto known = normalisers()) head.normalisers = *known;
    return head.compute();
  });
}

}  // namespace attnscope::gui
