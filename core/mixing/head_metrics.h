#pragma once
// Per-head figures over one map M [L, L] (row i = query, column j = key),
// on plain floats so every consumer can use them. Definitions and their
// reasons: docs/metrics.md.
#include <cstdint>
#include <utility>
#include <vector>

namespace attnscope::mixing {

struct MatrixRef {
  const float* values = nullptr;  // row-major L x L, causal (j <= i)
  int64_t length = 0;
  float at(int64_t i, int64_t j) const { return values[i * length + j]; }
};

// S_i = sum_{j <= i} |M[i, j]|: what every share below is taken of.
double abs_row_sum(const MatrixRef& m, int64_t i);

// Mean over rows i >= 1 of the row's entropy divided by log(i + 1): 0 for a
// one-hot row, 1 for a uniform one. Rows are normalised by their absolute sum
// first, so SSM maps (not stochastic) are comparable.
double normalised_row_entropy(const MatrixRef& m);
// Mean over rows of the largest |weight| divided by the row's absolute sum.
double top1_mass(const MatrixRef& m);
// Transition sharpness: mean over rows i >= 1 of the total variation along
// keys, sum_j |M[i,j] - M[i,j-1]| (j = 1..i, plus the edges M[i,0] and
// M[i,i]), divided by twice the row's absolute sum. 1 when all weight sits on
// isolated keys (a jump up and down), near 0 when it changes gradually.
double transition_sharpness(const MatrixRef& m);
// The three figures above for one row i (row = M[i, 0..i]); NaN where the
// row does not count (an all-zero row; row 0 for entropy and sharpness).
struct RowFigures {
  double entropy, top1, sharpness;
};
RowFigures row_figures(const float* row, int64_t i);
// The same with sum_j |M[i,j]| log |M[i,j]| already known (a softmax row's
// follows from its scores without a logarithm per cell: map_factors.h).
RowFigures row_figures(const float* row, int64_t i, double m_log_m);

// Means of row_figures over rows added in any blocks (a map computed a block
// of rows at a time gives the figures of the whole map, in the same order).
class RowFigureMeans {
 public:
  void add(const RowFigures& r);
  double entropy() const { return entropy_.mean(); }
  double top1() const { return top1_.mean(); }
  double sharpness() const { return sharpness_.mean(); }

 private:
  struct Mean {
    double total = 0;
    int64_t rows = 0;
    void add(double v) {
      if (v == v) total += v, ++rows;  // NaN: the row does not count
    }
    double mean() const { return rows ? total / rows : 0; }
  };
  Mean entropy_, top1_, sharpness_;
};

// Cells (i, j) where a row jumps sharply between neighbouring keys:
// |M[i,j] - M[i,j-1]| >= threshold * max_k |M[i,k]|. Returns (row, col) of the
// cell on the larger side of each jump.
std::vector<std::pair<int64_t, int64_t>> sharp_cells(const MatrixRef& m, double threshold = 0.5);
// The same for row i alone, keys [0, i] in `row`, appended to `cells`: a map
// computed a band of rows at a time gives the whole map's cells.
void append_sharp_cells(const float* row, int64_t i, std::vector<std::pair<int64_t, int64_t>>& cells,
                        double threshold = 0.5);

}  // namespace attnscope::mixing
