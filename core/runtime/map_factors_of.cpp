#include "core/runtime/map_factors_of.h"

#include "core/util/error.h"

namespace attnscope {
namespace {

// Copied once, straight into `out` (its memory kept when it is large enough).
template <typename T>
void copy_values(const at::Tensor& t, at::ScalarType type, std::vector<T>& out) {
  out.resize(static_cast<size_t>(t.numel()));
  if (!out.empty()) at::from_blob(out.data(), t.sizes(), at::TensorOptions().dtype(type)).copy_(t);
}

}  // namespace

session::MapFactors map_factors_of(const MixingFactors& in) {
  session::MapFactors f;
  map_factors_into(in, f);
  return f;
}

void map_factors_into(const MixingFactors& in, session::MapFactors& f) {
  // Every field of the form set, the others emptied (their memory kept).
  const session::MapFactors defaults;
  f.form = defaults.form, f.heads = 0, f.groups = 0, f.length = 0, f.dim = 0, f.scale = defaults.scale;
  f.channels_per_head = defaults.channels_per_head, f.dt_rank = 0;
  for (auto* v : {&f.left, &f.right, &f.weight, &f.dt_input, &f.dt_weight, &f.dt_bias, &f.A}) v->clear();
  f.log_decay_cumsum.clear();
  if (in.form == MixingFactors::Form::Softmax) {
    const at::Tensor q = in.q.select(0, 0), k = in.k.select(0, 0);  // [H, L, d], [H_kv, L, d]
    f.form = session::FactorForm::Softmax;
    f.heads = static_cast<int>(q.size(0)), f.groups = static_cast<int>(k.size(0));
    f.length = q.size(1), f.dim = q.size(2);
    f.scale = in.scale;
    copy_values<float>(q, at::kFloat, f.left);
    copy_values<float>(k, at::kFloat, f.right);
  } else if (in.form == MixingFactors::Form::Ssd) {
    const at::Tensor C = in.C.select(0, 0), B = in.B.select(0, 0), dt = in.dt.select(0, 0);  // [L, G, N], [L, H]
    f.form = session::FactorForm::Ssd;
    f.heads = static_cast<int>(dt.size(1)), f.groups = static_cast<int>(C.size(1));
    f.length = C.size(0), f.dim = C.size(2);
    copy_values<float>(C.transpose(0, 1), at::kFloat, f.left);
    copy_values<float>(B.transpose(0, 1), at::kFloat, f.right);
    // As ssd_matrix forms them: float64 products dt * A summed along the prompt.
    const at::Tensor cum = (dt.to(at::kDouble) * in.A.to(at::kDouble)).cumsum(0);
    copy_values<double>(cum.transpose(0, 1), at::kDouble, f.log_decay_cumsum);
    copy_values<float>((in.weight.defined() ? in.weight.select(0, 0) : dt).transpose(0, 1), at::kFloat, f.weight);
  } else if (in.form == MixingFactors::Form::Selective) {
    const at::Tensor C = in.C.select(0, 0), B = in.B.select(0, 0), dt_input = in.dt_input.select(0, 0);  // [L, N], [L, R]
    f.form = session::FactorForm::Selective;
    f.channels_per_head = in.channels_per_head;
    f.heads = static_cast<int>(in.A.size(0) / in.channels_per_head), f.groups = 1;
    f.length = C.size(0), f.dim = C.size(1), f.dt_rank = dt_input.size(1);
    copy_values<float>(C, at::kFloat, f.left);
    copy_values<float>(B, at::kFloat, f.right);
    copy_values<float>(dt_input, at::kFloat, f.dt_input);
    copy_values<float>(in.dt_weight, at::kFloat, f.dt_weight);
    copy_values<float>(in.dt_bias, at::kFloat, f.dt_bias);
    copy_values<float>(in.A, at::kFloat, f.A);
  } else {
    throw Error("internal: a mixer handed over no factors");
  }
  if (!f.consistent()) throw Error("internal: the mixer's factors do not fit together");
}

}  // namespace attnscope
