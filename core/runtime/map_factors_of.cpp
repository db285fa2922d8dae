#include "core/runtime/map_factors_of.h"

#include "core/util/error.h"

namespace attnscope {
namespace {

template <typename T>
std::vector<T> values_of(const at::Tensor& t, at::ScalarType type) {
  const at::Tensor c = t.to(at::kCPU, type).contiguous();
  return std::vector<T>(c.data_ptr<T>(), c.data_ptr<T>() + c.numel());
}

}  // namespace

session::MapFactors map_factors_of(const MixingFactors& in) {
  session::MapFactors f;
  if (in.form == MixingFactors::Form::Softmax) {
    const at::Tensor q = in.q.select(0, 0), k = in.k.select(0, 0);  // [H, L, d], [H_kv, L, d]
    f.form = session::FactorForm::Softmax;
    f.heads = static_cast<int>(q.size(0)), f.groups = static_cast<int>(k.size(0));
    f.length = q.size(1), f.dim = q.size(2);
    f.scale = in.scale;
    f.left = values_of<float>(q, at::kFloat);
    f.right = values_of<float>(k, at::kFloat);
  } else if (in.form == MixingFactors::Form::Ssd) {
    const at::Tensor C = in.C.select(0, 0), B = in.B.select(0, 0), dt = in.dt.select(0, 0);  // [L, G, N], [L, H]
    f.form = session::FactorForm::Ssd;
    f.heads = static_cast<int>(dt.size(1)), f.groups = static_cast<int>(C.size(1));
    f.length = C.size(0), f.dim = C.size(2);
    f.left = values_of<float>(C.transpose(0, 1), at::kFloat);
    f.right = values_of<float>(B.transpose(0, 1), at::kFloat);
    // As ssd_matrix forms them: float64 products dt * A summed along the prompt.
    const at::Tensor cum = (dt.to(at::kDouble) * in.A.to(at::kDouble)).cumsum(0);
    f.log_decay_cumsum = values_of<double>(cum.transpose(0, 1), at::kDouble);
    f.weight = values_of<float>((in.weight.defined() ? in.weight.select(0, 0) : dt).transpose(0, 1), at::kFloat);
  } else if (in.form == MixingFactors::Form::Selective) {
    const at::Tensor C = in.C.select(0, 0), B = in.B.select(0, 0), dt_input = in.dt_input.select(0, 0);  // [L, N], [L, R]
    f.form = session::FactorForm::Selective;
    f.channels_per_head = in.channels_per_head;
    f.heads = static_cast<int>(in.A.size(0) / in.channels_per_head), f.groups = 1;
    f.length = C.size(0), f.dim = C.size(1), f.dt_rank = dt_input.size(1);
    f.left = values_of<float>(C, at::kFloat);
    f.right = values_of<float>(B, at::kFloat);
    f.dt_input = values_of<float>(dt_input, at::kFloat);
    f.dt_weight = values_of<float>(in.dt_weight, at::kFloat);
    f.dt_bias = values_of<float>(in.dt_bias, at::kFloat);
    f.A = values_of<float>(in.A, at::kFloat);
  } else {
    throw Error("internal: a mixer handed over no factors");
  }
  if (!f.consistent()) throw Error("internal: the mixer's factors do not fit together");
  return f;
}

}  // namespace attnscope
