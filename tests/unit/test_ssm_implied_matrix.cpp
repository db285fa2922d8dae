// The implied matrices reproduce the scans: on random inputs longer than one
// chunk, y = M x (the D skip is added outside both) equals an independent
// sequential recurrence written here, for Mamba-2 (SSD, with groups) and for
// Mamba-1 (per channel).
#include <gtest/gtest.h>

#include "core/mixing/mamba1_kernel.h"
#include "core/mixing/ssd.h"
#include "core/util/error.h"
#include "parity.h"

using namespace attnscope;
using attnscope::testing::relative_error;

namespace {

// h_t = exp(dt_t A) h_{t-1} + dt_t x_t B_t^T ; y_t = h_t C_t, per head, in float64.
at::Tensor ssd_reference(const mixing::SsdInputs& in) {
  const int64_t Bsz = in.x.size(0), L = in.x.size(1), H = in.x.size(2), P = in.x.size(3);
  const int64_t G = in.B.size(2), N = in.B.size(3);
  auto x = in.x.to(at::kDouble), dt = in.dt.to(at::kDouble), A = in.A.to(at::kDouble);
  auto B = in.B.to(at::kDouble), C = in.C.to(at::kDouble);
  at::Tensor y = at::zeros({Bsz, L, H, P}, x.options());
  for (int64_t h = 0; h < H; ++h) {
    const int64_t g = h / (H / G);
    at::Tensor state = at::zeros({Bsz, P, N}, x.options());
    for (int64_t t = 0; t < L; ++t) {
      at::Tensor d = dt.select(1, t).select(1, h);  // [B]
      state = state * (d * A[h]).exp().view({Bsz, 1, 1}) +
              (d.view({Bsz, 1}) * x.select(1, t).select(1, h)).unsqueeze(-1) * B.select(1, t).select(1, g).unsqueeze(1);
      y.select(1, t).select(1, h).copy_(at::matmul(state, C.select(1, t).select(1, g).unsqueeze(-1)).squeeze(-1));
    }
  }
  return y;
}

mixing::SsdInputs random_ssd(int64_t L, int64_t H, int64_t P, int64_t G, int64_t N) {
  mixing::SsdInputs in;
  in.x = at::randn({2, L, H, P});
  in.dt = at::softplus(at::randn({2, L, H}) - 1);
  in.A = -at::rand({H}) * 2 - 0.05;
  in.B = at::randn({2, L, G, N}) * 0.5;
  in.C = at::randn({2, L, G, N}) * 0.5;
  return in;
}

}  // namespace

TEST(SsdMatrix, ReproducesTheScanBeyondOneChunk) {
  at::manual_seed(7);
  const int64_t L = 300, H = 4, P = 8, G = 2, N = 16;
  const auto in = random_ssd(L, H, P, G, N);
  const at::Tensor expected = ssd_reference(in);
  EXPECT_LT(relative_error(mixing::ssd_chunked(in, 128), expected), 1e-5) << "chunked scan";
  EXPECT_LT(relative_error(mixing::ssd_chunked(in, 64), expected), 1e-5) << "another chunk size";
  const at::Tensor M = mixing::ssd_matrix(in);  // [B, H, L, L]
  ASSERT_EQ(M.sizes(), (at::IntArrayRef{2, H, L, L}));
  const at::Tensor y = at::matmul(M, in.x.permute({0, 2, 1, 3})).permute({0, 2, 1, 3});
  EXPECT_LT(relative_error(y, expected), 1e-5) << "y = M x";
  EXPECT_EQ(M.triu(1).abs().max().item<double>(), 0.0);
  // Many column blocks (the decay split at each block's end) give the same matrix.
  EXPECT_LT(relative_error(mixing::ssd_matrix(in, 64), M), 1e-6);
  EXPECT_LT(relative_error(mixing::ssd_matrix(in, 7), M), 1e-6);
}

TEST(SsdMatrix, StableWhenDecaysUnderflow) {
  // Strong decay over a long sequence: products of exponentials would reach
  // 0 * inf; segment sums keep every entry finite.
  at::manual_seed(3);
  auto in = random_ssd(600, 2, 4, 1, 8);
  in.A = at::full({2}, -40.0);
  in.dt = at::full({2, 600, 2}, 3.0);
  const at::Tensor M = mixing::ssd_matrix(in);
  EXPECT_TRUE(at::isfinite(M).all().item<bool>());
  EXPECT_TRUE(at::isfinite(mixing::ssd_chunked(in)).all().item<bool>());
  EXPECT_LT(relative_error(mixing::ssd_chunked(in), ssd_reference(in)), 1e-5);
}

TEST(Mamba1Matrices, ReproduceTheSelectiveScan) {
  at::manual_seed(11);
  const int64_t L = 200, D = 6, N = 5;
  mixing::Mamba1Inputs in;
  in.dt = at::softplus(at::randn({1, L, D}) - 1);
  in.A = -at::rand({D, N}) * 3 - 0.1;
  in.B = at::randn({1, L, N});
  in.C = at::randn({1, L, N});
  const at::Tensor x = at::randn({1, L, D});
  // Independent recurrence, float64, one channel and state at a time.
  at::Tensor expected = at::zeros({1, L, D}, at::kDouble);
  auto dt = in.dt.to(at::kDouble), A = in.A.to(at::kDouble), B = in.B.to(at::kDouble), C = in.C.to(at::kDouble);
  auto xd = x.to(at::kDouble);
  auto dta = dt.accessor<double, 3>(), Ba = B.accessor<double, 3>(), Ca = C.accessor<double, 3>();
  auto Aa = A.accessor<double, 2>();
  auto xa = xd.accessor<double, 3>();
  auto ya = expected.accessor<double, 3>();
  for (int64_t d = 0; d < D; ++d)
    for (int64_t n = 0; n < N; ++n) {
      double h = 0;
      for (int64_t t = 0; t < L; ++t) {
        h = std::exp(dta[0][t][d] * Aa[d][n]) * h + dta[0][t][d] * Ba[0][t][n] * xa[0][t][d];
        ya[0][t][d] += h * Ca[0][t][n];
      }
    }
  EXPECT_LT(relative_error(mixing::mamba1_scan(in, x), expected), 1e-5) << "scan";
  const at::Tensor M = mixing::mamba1_matrices(in);  // [1, D, L, L]
  const at::Tensor y = at::matmul(M, x.transpose(1, 2).unsqueeze(-1)).squeeze(-1).transpose(1, 2);
  EXPECT_LT(relative_error(y, expected), 1e-5) << "y = M x per channel";
  // A subset of channels and grouped averages agree with the full set.
  const at::Tensor picked = mixing::mamba1_matrices(in, 1, {4, 1});
  EXPECT_TRUE(at::allclose(picked[0][0], M[0][4]));
  EXPECT_TRUE(at::allclose(picked[0][1], M[0][1]));
  const at::Tensor grouped = mixing::mamba1_matrices(in, 3);
  EXPECT_TRUE(at::allclose(grouped[0][1], M[0].narrow(0, 3, 3).mean(0), 1e-5, 1e-6));
  EXPECT_THROW(mixing::mamba1_matrices(in, 4), Error);
}
