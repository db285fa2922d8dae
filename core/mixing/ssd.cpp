#include "core/mixing/ssd.h"

#include <limits>

namespace attnscope::mixing {
namespace {
// Heads read their group's B and C: [B, L, G, N] -> [B, L, H, N].
at::Tensor per_head(const at::Tensor& t, int64_t heads) {
  const int64_t groups = t.size(2);
  return groups == heads ? t : t.repeat_interleave(heads / groups, 2);
}
}  // namespace

at::Tensor ssd_matrix(const SsdInputs& in, int64_t block) {
  const int64_t L = in.x.size(1), H = in.x.size(2);
  const at::Tensor dt = (in.weight.defined() ? in.weight : in.dt).to(at::kFloat).transpose(1, 2);  // [B, H, L] input weights
  const at::Tensor cum = (in.dt.to(at::kDouble) * in.A.to(at::kDouble)).cumsum(1).transpose(1, 2).contiguous();
  at::Tensor Bh = per_head(in.B.to(at::kFloat), H).transpose(1, 2);                     // [B, H, L, N]
  at::Tensor Ch = per_head(in.C.to(at::kFloat), H).transpose(1, 2);
  at::Tensor m = at::matmul(Ch, Bh.transpose(-1, -2)).contiguous();                    // C_i . B_j, [B, H, L, L]
  for (int64_t s = 0; s < L; s += block) {
    const int64_t w = std::min(block, L - s), e = s + w - 1, below = L - 1 - e;
    const at::Tensor cum_block = cum.narrow(-1, s, w);
    const at::Tensor dt_block = dt.narrow(-1, s, w);
    // Diagonal block: segment sums, -inf (a zero weight) above the diagonal.
    at::Tensor seg = cum_block.unsqueeze(-1) - cum_block.unsqueeze(-2);
    const at::Tensor future = at::ones({w, w}, at::TensorOptions().dtype(at::kBool).device(m.device())).triu(1);
    seg.masked_fill_(future, -std::numeric_limits<double>::infinity());
    m.narrow(2, s, w).narrow(3, s, w).mul_(seg.exp_().to(at::kFloat)).mul_(dt_block.unsqueeze(-2));
    if (s > 0) m.narrow(2, 0, s).narrow(3, s, w).zero_();  // queries before the block cannot read it
    if (below > 0) {
      const at::Tensor cum_e = cum.narrow(-1, e, 1);
      const at::Tensor rows = (cum.narrow(-1, e + 1, below) - cum_e).exp_().to(at::kFloat);  // [B, H, below]
      const at::Tensor cols = (cum_e - cum_block).exp_().to(at::kFloat).mul_(dt_block);       // [B, H, w]
      m.narrow(2, e + 1, below).narrow(3, s, w).mul_(rows.unsqueeze(-1)).mul_(cols.unsqueeze(-2));
    }
  }
  return m;
}

at::Tensor ssd_chunked(const SsdInputs& in, int64_t chunk) {
  const int64_t Bsz = in.x.size(0), L = in.x.size(1), H = in.x.size(2), P = in.x.size(3), N = in.B.size(3);
  const int64_t Q = std::min(chunk, L), chunks = (L + Q - 1) / Q, padded = chunks * Q;
  auto pad = [&](const at::Tensor& t) {
    if (padded == L) return t;
    std::vector<int64_t> shape = t.sizes().vec();
    shape[1] = padded - L;
    return at::cat({t, at::zeros(shape, t.options())}, 1);  // dt = 0: padding neither decays nor writes
  };
  at::Tensor x = pad(in.x.to(at::kFloat)).view({Bsz, chunks, Q, H, P});
  at::Tensor dt = pad(in.dt.to(at::kFloat)).view({Bsz, chunks, Q, H});
  // Input weights (dt unless given); padding has weight 0 either way.
  at::Tensor wt = in.weight.defined() ? pad(in.weight.to(at::kFloat)).view({Bsz, chunks, Q, H}) : dt;
  at::Tensor Bh = pad(per_head(in.B.to(at::kFloat), H)).view({Bsz, chunks, Q, H, N});
  at::Tensor Ch = pad(per_head(in.C.to(at::kFloat), H)).view({Bsz, chunks, Q, H, N});
  at::Tensor a = dt * in.A.to(at::kFloat);                                // [B, c, Q, H]
  at::Tensor cum = a.to(at::kDouble).cumsum(2);                           // within each chunk

  // Inside a chunk: the quadratic (matrix) form.
  at::Tensor seg = cum.permute({0, 1, 3, 2});                             // [B, c, H, Q]
  at::Tensor decay = (seg.unsqueeze(-1) - seg.unsqueeze(-2));
  at::Tensor future = at::ones({Q, Q}, at::TensorOptions().dtype(at::kBool).device(x.device())).triu(1);
  decay = decay.masked_fill_(future, -std::numeric_limits<double>::infinity()).exp_().to(at::kFloat);
  at::Tensor Cc = Ch.permute({0, 1, 3, 2, 4}), Bc = Bh.permute({0, 1, 3, 2, 4});  // [B, c, H, Q, N]
  at::Tensor xc = x.permute({0, 1, 3, 2, 4});                                     // [B, c, H, Q, P]
  at::Tensor dtc = wt.permute({0, 1, 3, 2});                                      // [B, c, H, Q] input weights
  // Out of place: the trainer differentiates through this (decay depends on dt).
  at::Tensor m = at::matmul(Cc, Bc.transpose(-1, -2)) * decay * dtc.unsqueeze(-2);
  at::Tensor y = at::matmul(m, xc);                                               // [B, c, H, Q, P]

  // Each chunk's own final state, then the states carried across chunks.
  at::Tensor total = seg.select(-1, Q - 1);                                       // [B, c, H]
  at::Tensor to_end = (total.unsqueeze(-1) - seg).exp().to(at::kFloat);          // [B, c, H, Q]
  at::Tensor weights = (to_end * dtc).unsqueeze(-1);                              // [B, c, H, Q, 1]
  at::Tensor own = at::matmul((xc * weights).transpose(-1, -2), Bc);              // [B, c, H, P, N]
  at::Tensor carry = at::zeros({Bsz, H, P, N}, x.options());
  std::vector<at::Tensor> entering;
  for (int64_t c = 0; c < chunks; ++c) {
    entering.push_back(carry);
    carry = carry * total.select(1, c).exp().to(at::kFloat).unsqueeze(-1).unsqueeze(-1) + own.select(1, c);
  }
  at::Tensor states = at::stack(entering, 1);                                     // [B, c, H, P, N]
  // y_i += exp(cum_i) * C_i . state entering the chunk.
  at::Tensor from_past = at::matmul(Cc, states.transpose(-1, -2));               // [B, c, H, Q, P]
  y = y + from_past * seg.exp().to(at::kFloat).unsqueeze(-1);
  return y.permute({0, 1, 3, 2, 4}).reshape({Bsz, padded, H, P}).narrow(1, 0, L);
}

}  // namespace attnscope::mixing
