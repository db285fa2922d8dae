#pragma once
// The state-space duality (SSD) form of a Mamba-2 layer. Per head h the scan
// is a causal matrix over positions,
//   M[i, j] = (C_i . B_j) * exp(sum_{k=j+1..i} dt_k A_h) * dt_j   (j <= i),
// so that y = M x + D x. ssd_chunked computes y chunk by chunk (quadratic
// inside a chunk, a state passed between chunks), ssd_matrix materialises M.
// Decays are exponentials of segment sums (differences of float64 cumulative
// sums), never products of exponentials.
#include <ATen/ATen.h>

namespace attnscope::mixing {

struct SsdInputs {
  at::Tensor x;   // [B, L, H, P]
  at::Tensor dt;  // [B, L, H], after softplus and clamping
  at::Tensor A;   // [H], negative
  at::Tensor B;   // [B, L, G, N], G groups shared by H / G heads each
  at::Tensor C;   // [B, L, G, N]
  // The factor each input is written into the state with, [B, L, H]; dt when
  // undefined. Llamba's DiscreteMamba2 writes x_j unscaled: weight 1.
  at::Tensor weight;
};

// y without the D skip: [B, L, H, P], float32.
at::Tensor ssd_chunked(const SsdInputs& in, int64_t chunk = 128);
// M: [B, H, L, L], float32, built in column blocks of `block` keys: exact
// float64 segment sums inside the diagonal block; below it the decay splits
// at the block's last key e into exp(cum_i - cum_e) * exp(cum_e - cum_j),
// two factors of at most 1, so no L x L float64 temporary is ever made.
at::Tensor ssd_matrix(const SsdInputs& in, int64_t block = 256);

}  // namespace attnscope::mixing
