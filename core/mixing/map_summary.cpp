#include "core/mixing/map_summary.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/mixing/row_kernels.h"
#include "core/session/blas_threads.h"
#include "core/session/selective_maps.h"
#include "core/util/parallel.h"

namespace attnscope::mixing {
namespace {
// Rows of a map computed from factors at a time: memory O(block * L).
constexpr int64_t kRowBlock = 512;
}  // namespace

MaxAbsPool::MaxAbsPool(int64_t length, int size)
    : length_(length),
      n_(static_cast<int>(std::min<int64_t>(length, size))),
      values_(static_cast<size_t>(n_) * n_, 0.f),
      seen_(values_.size(), 0),
      column_start_(static_cast<size_t>(n_) + 1) {
  // Key j falls in overview column j * n / L: column k starts at the first j with j * n >= k * L.
  for (int k = 0; k <= n_; ++k) column_start_[k] = (static_cast<int64_t>(k) * length_ + n_ - 1) / n_;
}

void MaxAbsPool::pool_row(const float* row, int64_t i, float* best, uint8_t* marked) const {
  pool_row_max_abs(row, i + 1, column_start_.data(), n_, best, marked);
}

void MaxAbsPool::merge_rows(const float* best, const uint8_t* marked, int64_t first, int64_t count) {
  for (int64_t r = 0; r < count; ++r) {
    const size_t base = static_cast<size_t>((first + r) * n_ / length_) * n_;
    for (int k = 0; k < n_; ++k) {
      const float v = best[r * n_ + k];
      if (!marked[r * n_ + k]) continue;
      if (!seen_[base + k] || std::abs(v) > std::abs(values_[base + k])) values_[base + k] = v, seen_[base + k] = 1;
    }
  }
}

void MaxAbsPool::add_rows(const float* rows, int64_t first, int64_t count, int64_t stride,
                          const std::function<void(const float* row, int64_t r)>& per_row) {
  // Each row's maxima on every core, then merged in row order.
  std::vector<float> pooled(static_cast<size_t>(count) * n_);
  std::vector<uint8_t> pooled_seen(pooled.size());
  parallel_for(count, 16, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* row = rows + r * stride;
      if (per_row) per_row(row, r);
      pool_row(row, first + r, pooled.data() + r * n_, pooled_seen.data() + r * n_);
    }
  });
  merge_rows(pooled.data(), pooled_seen.data(), first, count);
}

void MapSummary::add_rows(const float* rows, int64_t first, int64_t count, int64_t stride, const double* m_log_m) {
  std::vector<RowFigures> figures(static_cast<size_t>(count));
  pool_.add_rows(rows, first, count, stride, [&](const float* row, int64_t r) {
    figures[r] = m_log_m ? row_figures(row, first + r, m_log_m[r]) : row_figures(row, first + r);
  });
  for (const auto& f : figures) figures_.add(f);  // in row order, as a whole map's figures are taken
}

RowFigures MapSummary::stage_row(const float* row, int64_t i, double m_log_m, float* best, uint8_t* marked) const {
  pool_.pool_row(row, i, best, marked);
  return row_figures(row, i, m_log_m);
}

void MapSummary::add_staged(const float* best, const uint8_t* marked, const RowFigures* figures, int64_t first,
                            int64_t count) {
  pool_.merge_rows(best, marked, first, count);
  for (int64_t r = 0; r < count; ++r) figures_.add(figures[r]);  // in row order
}

int overview_size_for(int heads) {
  const auto side = static_cast<int>(std::sqrt(static_cast<double>(kMixerOverviewCells) / std::max(1, heads)));
  return std::clamp(side, 1, kOverviewSize);
}

std::vector<MapSummary> summarise_maps(const float* maps, int heads, int64_t length, int overview_size) {
  std::vector<MapSummary> out;
  for (int h = 0; h < heads; ++h) {
    out.emplace_back(length, overview_size);
    out.back().add_rows(maps + static_cast<size_t>(h) * length * length, 0, length, length);
  }
  return out;
}

namespace {

// One Mamba-1 head a block of rows at a time, its channels' decays computed once.
void summarise_selective_head(const session::MapFactors& factors, int head, MapSummary& summary) {
  const int64_t L = factors.length;
  const session::ChannelDecays decays = session::channel_decays(factors, head, 0, L);
  // Reused by this thread's heads: a fresh block would cost its page faults per head.
  static thread_local std::vector<float> block;
  // Each block's columns at their chunk's end, kept: a block adds only the columns it newly reaches.
  session::SelectiveColumns columns;
  for (int64_t b0 = 0; b0 < L; b0 += kRowBlock) {
    const int64_t n = std::min(kRowBlock, L - b0), keys = b0 + n;
    block.resize(static_cast<size_t>(n * keys));
    session::selective_tile(factors.left.data(), factors.right.data(), factors.A.data(), factors.dim, decays, b0, 0, n,
                            keys, block.data(), &columns);
    summary.add_rows(block.data(), b0, n, keys);
  }
}

}  // namespace

FactorSummaries summarise_factors(const session::MapFactors& factors, int overview_size) {
  const int64_t L = factors.length;
  const bool softmax = factors.form == session::FactorForm::Softmax;
  FactorSummaries out;
  if (factors.form == session::FactorForm::Selective) {
    // A Mamba-1 layer has hundreds of one-channel heads, each too small to
    // spread over the cores: the heads are (each on one thread). So are wide
    // heads (channel groups): measured at 2048 tokens with 32 heads of 48
    // channels, 59 s against 70 s spreading each head's rows and products.
    for (int h = 0; h < factors.heads; ++h) out.heads.emplace_back(L, overview_size);
    // Wide heads' products: BLAS's own threads would contend with the heads' (while these fill the cores).
    std::optional<session::BlasOnCallingThread> blas_on_heads_threads;
    if (session::heads_fill_the_cores(factors.heads)) blas_on_heads_threads.emplace();
    parallel_for(factors.heads, 1, [&](int64_t begin, int64_t end) {
      for (int64_t h = begin; h < end; ++h) summarise_selective_head(factors, static_cast<int>(h), out.heads[h]);
    });
    return out;
  }
  if (softmax) out.row_normalisers.resize(static_cast<size_t>(factors.heads * L * 2));
  for (int h = 0; h < factors.heads; ++h) out.heads.emplace_back(L, overview_size);
  // Rows of one head a block at a time; the block's loops spread over the cores unless heads already do.
  const auto summarise_head = [&](int64_t h, std::vector<float>& block, std::vector<double>& p_log_p) {
    MapSummary& summary = out.heads[h];
    for (int64_t b0 = 0; b0 < L; b0 += kRowBlock) {
      const int64_t n = std::min(kRowBlock, L - b0), keys = b0 + n;  // causal: no key past the block's last row
      block.resize(static_cast<size_t>(n * keys));
      if (!softmax) {
        session::compute_tile(factors, static_cast<int>(h), b0, 0, n, keys, block.data());
        summary.add_rows(block.data(), b0, n, keys);
        continue;
      }
      // A softmax row's entropy follows from its scores: no logarithm per cell.
      float* lse = out.row_normalisers.data() + (h * L + b0) * 2;
      session::softmax_rows_with_entropy(factors, static_cast<int>(h), b0, n, block.data(), lse, p_log_p.data());
      summary.add_rows(block.data(), b0, n, keys, p_log_p.data());
    }
  };
  // Heads a thread each when they fill the cores (session::over_heads): one head's
  // block of rows on every core left OpenBLAS's threads spinning between the
  // scores' products while the rows' threads waited for a core.
  session::over_heads(factors.heads, [&](int64_t begin, int64_t end) {
    std::vector<float> block;
    block.reserve(static_cast<size_t>(std::min(kRowBlock, L) * L));  // grown once, not copied block by block
    std::vector<double> p_log_p(static_cast<size_t>(kRowBlock));
    for (int64_t h = begin; h < end; ++h) summarise_head(h, block, p_log_p);
  });
  return out;
}

}  // namespace attnscope::mixing
