#include "core/models/blocks/rotary.h"

#include <cmath>

#include "core/util/error.h"

namespace attnscope::blocks {

Rotary::Rotary(int64_t rotary_dim, double theta, const RopeScaling& scaling) : rotary_dim_(rotary_dim) {
  const int64_t half = rotary_dim / 2;
  inv_freq_ = at::empty({half}, at::kDouble);
  auto* f = inv_freq_.data_ptr<double>();
  for (int64_t i = 0; i < half; ++i) {
    double freq = 1.0 / std::pow(theta, (2.0 * i) / rotary_dim);
    if (scaling.type == "linear") {
      freq /= scaling.factor;
    } else if (scaling.type == "llama3") {
      // Long wavelengths are slowed by `factor`, short ones kept, the band between blended.
      const double low_wavelen = scaling.original_max_positions / scaling.low_freq_factor;
      const double high_wavelen = scaling.original_max_positions / scaling.high_freq_factor;
      const double wavelen = 2 * M_PI / freq;
      if (wavelen > low_wavelen) {
        freq /= scaling.factor;
      } else if (wavelen >= high_wavelen) {
        const double smooth = (scaling.original_max_positions / wavelen - scaling.low_freq_factor) /
                              (scaling.high_freq_factor - scaling.low_freq_factor);
        freq = (1 - smooth) * freq / scaling.factor + smooth * freq;
      }
    }
    f[i] = freq;
  }
}

at::Tensor Rotary::apply(const at::Tensor& x) const {
  if (rotary_dim_ == 0) return x;
  const int64_t L = x.size(2);
  at::Tensor positions = at::arange(L, at::kDouble);
  at::Tensor angles = at::outer(positions, inv_freq_);            // [L, half]
  at::Tensor emb = at::cat({angles, angles}, -1);                 // [L, rotary_dim]
  const auto opts = at::TensorOptions().dtype(x.scalar_type()).device(x.device());
  at::Tensor cos = emb.cos().to(opts), sin = emb.sin().to(opts);
  at::Tensor rot = x.narrow(-1, 0, rotary_dim_);
  at::Tensor pass = x.narrow(-1, rotary_dim_, x.size(-1) - rotary_dim_);
  const int64_t half = rotary_dim_ / 2;
  at::Tensor rotated_half = at::cat({-rot.narrow(-1, half, half), rot.narrow(-1, 0, half)}, -1);
  at::Tensor out = rot * cos + rotated_half * sin;
  return pass.size(-1) ? at::cat({out, pass}, -1) : out;
}

}  // namespace attnscope::blocks
