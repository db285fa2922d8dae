#pragma once
// A mixer's maps as functions of a few per-token vectors, so a session can
// keep O(L·d) numbers per layer instead of O(heads·L²) and any head, tile or
// zoom is recomputed exactly, with no model and no LibTorch:
//   softmax: M_h[i, j] = exp(s_ij) / sum_{j' <= i} exp(s_ij'),  s_ij = scale * q_h,i . k_g,j
//            (q, k after RoPE and norms; g = h / (heads / groups): grouped-query heads share keys)
//   ssd:     M_h[i, j] = (C_g,i . B_g,j) * exp(cum_h,i - cum_h,j) * w_h,j
//            (cum: float64 cumulative sums of the log decay dt * A; w: dt, or 1 for Llamba)
//   selective (Mamba-1): M_h[i, j] = mean over the head's channels d of
//            sum_n C_i[n] exp(A[d, n] (cum_d,i - cum_d,j)) dt_d,j B_j[n]
//            (dt = softplus(dt_input . dt_weight^T + dt_bias), the layer's own low-rank
//            step: L x dt_rank numbers per layer rather than L x channels; selective_maps.h)
// all for j <= i and 0 above the diagonal.
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::session {

enum class FactorForm { Softmax, Ssd, Selective };
std::string factor_form_name(FactorForm form);  // "softmax", "ssd", "selective"

struct MapFactors {
  FactorForm form = FactorForm::Softmax;
  int heads = 0, groups = 0;  // groups: kv heads (softmax) or B/C groups (ssd; 1 for selective); heads % groups == 0
  int64_t length = 0, dim = 0;
  double scale = 1;             // softmax
  std::vector<float> left;      // q [heads, L, dim] (softmax) or C [groups, L, dim] (ssd, selective)
  std::vector<float> right;     // k [groups, L, dim] (softmax) or B [groups, L, dim] (ssd, selective)
  std::vector<double> log_decay_cumsum;  // ssd: [heads, L]
  std::vector<float> weight;             // ssd: [heads, L]
  // selective: heads * channels_per_head channels, dim = the state size N
  int channels_per_head = 1;
  int64_t dt_rank = 0;
  std::vector<float> dt_input;   // [L, dt_rank]
  std::vector<float> dt_weight;  // [channels, dt_rank]
  std::vector<float> dt_bias;    // [channels]
  std::vector<float> A;          // [channels, dim], negative

  int64_t channels() const { return static_cast<int64_t>(heads) * channels_per_head; }

  int group_of(int head) const { return head / (heads / groups); }
  // Sizes agree with heads, groups, length and dim; false names nothing (callers say what is wrong).
  bool consistent() const;
};

// Per-row normalisers of a softmax head, [2 * L]: each row's largest score
// m_i and log sum_{j <= i} exp(s_ij - m_i). A tile then costs rows * cols *
// dim. Empty for ssd (it needs none).
std::vector<float> row_log_normalisers(const MapFactors& f, int head);

// Rows [r0, r0 + rows) x columns [c0, c0 + cols) of head `head`'s map,
// row-major into `out` [rows * cols]. `normalisers` from
// row_log_normalisers (or nullptr: computed for these rows). Throws
// std::out_of_range for a head or rectangle outside the map.
void compute_tile(const MapFactors& f, int head, int64_t r0, int64_t c0, int64_t rows, int64_t cols, float* out,
                  const std::vector<float>* normalisers = nullptr);

// Rows [r0, r0 + rows) of a softmax head's map, keys 0 .. r0 + rows - 1, into
// `out` [rows * (r0 + rows)]; each row's normalisers (as
// row_log_normalisers) into `lse` [2 * rows] and its sum_j p_ij log p_ij
// into `p_log_p` [rows], from the same scores: no logarithm per cell.
void softmax_rows_with_entropy(const MapFactors& f, int head, int64_t r0, int64_t rows, float* out, float* lse,
                               double* p_log_p);

// The whole map of `head`, [L * L].
std::vector<float> compute_head(const MapFactors& f, int head);

}  // namespace attnscope::session
