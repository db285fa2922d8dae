#pragma once
// The per-cell loops of a map's summary (row figures and max-|w| pooling),
// built with -O3 -ffast-math (core/CMakeLists.txt) so they vectorise: at
// 8192 tokens a session's summaries visit 4.8 billion cells. Callers handle
// NaN; nothing here tests for it.
#include <cstdint>

namespace attnscope::mixing {

struct RowSums {
  double abs_sum = 0;     // sum |m_j|
  double largest = 0;     // max |m_j|
  double variation = 0;   // sum |m_j - m_{j-1}| with m_{-1} = 0, plus |m_last|
  double m_log_m = 0;     // sum |m_j| log |m_j| (0 log 0 = 0); left 0 unless asked for
};

// Over row[0, n).
RowSums row_sums(const float* row, int64_t n, bool with_m_log_m);

// One row's cells [0, seen) pooled into spans: span k covers
// [column_start[k], column_start[k + 1]); each span that starts before
// `seen` gets the value of largest |v| of its cells below `seen` (sign
// kept; +v wins a tie with -v) in best[k] and
// marked[k] = 1. Returns the number of spans filled.
int pool_row_max_abs(const float* row, int64_t seen, const int64_t* column_start, int spans, float* best,
                     uint8_t* marked);

}  // namespace attnscope::mixing
