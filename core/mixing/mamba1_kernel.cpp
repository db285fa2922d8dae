#include "core/mixing/mamba1_kernel.h"

#include <limits>

#include "core/session/blas_threads.h"
#include "core/session/selective_maps.h"
#include "core/util/error.h"

namespace attnscope::mixing {

namespace {

// On the CPU: the chunked form (core/session/selective_maps.h), heads a thread each when they fill the cores.
at::Tensor chunked_matrices(const Mamba1Inputs& in, int64_t group, const std::vector<int64_t>& channels) {
  const int64_t Bsz = in.dt.size(0), L = in.dt.size(1), D = in.dt.size(2), N = in.A.size(1);
  const int64_t count = channels.empty() ? D : static_cast<int64_t>(channels.size());
  for (const int64_t c : channels)
    if (c < 0 || c >= D) throw Error("no channel " + std::to_string(c) + " among " + std::to_string(D));
  at::Tensor out = at::empty({Bsz, count / group, L, L}, at::TensorOptions().dtype(at::kFloat));
  const at::Tensor A = in.A.to(at::kCPU, at::kFloat).contiguous();
  for (int64_t b = 0; b < Bsz; ++b) {
    const at::Tensor C = in.C.select(0, b).to(at::kFloat).contiguous(), B = in.B.select(0, b).to(at::kFloat).contiguous();
    const at::Tensor dt = in.dt.select(0, b).to(at::kFloat).contiguous();  // [L, D]
    const float *c = C.data_ptr<float>(), *b_in = B.data_ptr<float>(), *a = A.data_ptr<float>(), *steps = dt.data_ptr<float>();
    float* maps = out[b].data_ptr<float>();
    const int64_t heads = count / group;
    const auto one_head = [&](int64_t h) {
      const int64_t first_channel = channels.empty() ? h * group : channels[h];
      const session::ChannelDecays decays = session::channel_decays(steps, D, first_channel, group, 0, L);
      session::selective_tile(c, b_in, a, N, decays, 0, 0, L, L, maps + h * L * L);
    };
    // A layer's many heads a thread each, as a session's summaries (core/mixing/map_summary.cpp);
    // few heads in turn, each one's rows and products over every core.
    session::over_heads(heads, [&](int64_t begin, int64_t end) {
      for (int64_t h = begin; h < end; ++h) one_head(h);
    });
  }
  return out;
}

}  // namespace

at::Tensor mamba1_matrices(const Mamba1Inputs& in, int64_t group, const std::vector<int64_t>& channels) {
  const int64_t Bsz = in.dt.size(0), L = in.dt.size(1), D = in.dt.size(2), N = in.A.size(1);
  if (group < 1 || D % group) throw Error("channel group " + std::to_string(group) + " does not divide " + std::to_string(D) + " channels");
  if (!channels.empty() && group != 1) throw Error("internal: picked channels are not grouped");
  if (in.dt.device().is_cpu()) return chunked_matrices(in, group, channels);
  // Elsewhere: every state's L x L decays, a block of channels at a time.
  at::Tensor idx = channels.empty() ? at::arange(D, at::TensorOptions().dtype(at::kLong).device(in.dt.device()))
                                    : at::tensor(channels, at::TensorOptions().dtype(at::kLong)).to(in.dt.device());
  const int64_t count = idx.size(0);
  at::Tensor dt = in.dt.to(at::kFloat).index_select(2, idx);  // [B, L, d]
  at::Tensor A = in.A.to(at::kFloat).index_select(0, idx);    // [d, N]
  at::Tensor Bm = in.B.to(at::kFloat), Cm = in.C.to(at::kFloat);
  at::Tensor future = at::ones({L, L}, at::TensorOptions().dtype(at::kBool).device(dt.device())).triu(1);
  at::Tensor out = at::zeros({Bsz, count / group, L, L}, dt.options());
  // Blocks of channels bound the [B, block, L, L] temporaries.
  const int64_t block = std::max<int64_t>(group, (int64_t(1) << 24) / std::max<int64_t>(1, L * L) / group * group);
  for (int64_t start = 0; start < count; start += block) {
    const int64_t n_ch = std::min(block, count - start);
    at::Tensor dtb = dt.narrow(2, start, n_ch);                                    // [B, L, c]
    at::Tensor acc = at::zeros({Bsz, n_ch, L, L}, dt.options());
    for (int64_t n = 0; n < N; ++n) {
      // Segment sums of dt * A[:, n] along positions, per channel, in float64.
      at::Tensor cum = (dtb.to(at::kDouble) * A.narrow(0, start, n_ch).select(1, n).to(at::kDouble)).cumsum(1).transpose(1, 2);
      at::Tensor decay = (cum.unsqueeze(-1) - cum.unsqueeze(-2)).masked_fill_(future, -std::numeric_limits<double>::infinity());
      at::Tensor cb = (Cm.select(2, n).unsqueeze(-1) * Bm.select(2, n).unsqueeze(-2)).unsqueeze(1);  // [B, 1, L, L]
      acc.add_(decay.exp_().to(at::kFloat).mul_(cb));
    }
    acc.mul_(dtb.transpose(1, 2).unsqueeze(-2));  // * dt_j
    if (group > 1) acc = acc.view({Bsz, n_ch / group, group, L, L}).mean(2);
    out.narrow(1, start / group, n_ch / group).copy_(acc);
  }
  return out;
}

at::Tensor mamba1_scan(const Mamba1Inputs& in, const at::Tensor& x) {
  const int64_t Bsz = in.dt.size(0), L = in.dt.size(1), D = in.dt.size(2), N = in.A.size(1);
  at::Tensor dt = in.dt.to(at::kFloat);
  at::Tensor dA = (dt.unsqueeze(-1) * in.A.to(at::kFloat)).exp_();                 // [B, L, D, N]
  at::Tensor dBx = (dt * x.to(at::kFloat)).unsqueeze(-1) * in.B.to(at::kFloat).unsqueeze(2);  // [B, L, D, N]
  at::Tensor Cm = in.C.to(at::kFloat);
  at::Tensor h = at::zeros({Bsz, D, N}, dt.options());
  at::Tensor states = at::empty({Bsz, L, D, N}, dt.options());
  for (int64_t t = 0; t < L; ++t) {
    h = h * dA.select(1, t) + dBx.select(1, t);
    states.select(1, t).copy_(h);
  }
  return at::matmul(states, Cm.unsqueeze(-1)).squeeze(-1);  // [B, L, D]
}

}  // namespace attnscope::mixing
