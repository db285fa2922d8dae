#pragma once
// The matrix a Mamba-1 (S6) layer applies to each channel d,
//   M_d[i, j] = sum_n C_i[n] exp(sum_{k=j+1..i} dt_k[d] A[d, n]) dt_j[d] B_j[n],
// so that y_d = M_d x_d + D_d x_d; `group` > 1 averages contiguous groups of
// channels (an overview of thousands of channels). On the CPU by the chunked
// form of core/session/selective_maps.h (matrix products, no L x L
// exponentials); on other devices a block of channels at a time.
#include <ATen/ATen.h>

#include <vector>

namespace attnscope::mixing {

struct Mamba1Inputs {
  at::Tensor dt;  // [B, L, D] after softplus
  at::Tensor A;   // [D, N], negative
  at::Tensor B;   // [B, L, N]
  at::Tensor C;   // [B, L, N]
};

// [B, D / group, L, L] float32; `channels` (empty = all) picks channels
// before grouping is applied (then group must be 1).
at::Tensor mamba1_matrices(const Mamba1Inputs& in, int64_t group = 1, const std::vector<int64_t>& channels = {});
// The selective scan itself (sequential over positions, vectorised over
// channels and state): y without the D skip, [B, L, D].
at::Tensor mamba1_scan(const Mamba1Inputs& in, const at::Tensor& x);

}  // namespace attnscope::mixing
