#include "core/models/blocks/mixer.h"

#include "core/util/error.h"

namespace attnscope {

MixerCall& LayerCall::mixer(const LayerInfo& layer, const std::string& name) {
  const int m = layer.mixer_index(name);
  if (m < 0 || m >= static_cast<int>(mixers.size()))
    throw Error(name.empty() ? "this layer has " + std::to_string(layer.mixers.size()) + " mixers: name one"
                             : "this layer has no mixer '" + name + "'");
  return mixers[m];
}

namespace blocks {

at::Tensor Mixer::operator()(const at::Tensor& x, MixerCall& call, const MixerContext& context) const {
  if (call.want_factors && !gives_factors(call)) call.capture = true;
  at::Tensor input = x;
  if (call.on_input) call.on_input(input);
  at::Tensor heads;
  if (call.given_heads.defined()) {
    for (const auto& ablated : call.ablate)
      if (ablated.second == AblationMode::Uniform) throw Error("internal: given head outputs with uniform ablation");
    if (call.capture || call.want_factors) throw Error("internal: given head outputs with capture");
    heads = call.only_last_query() ? call.given_heads.narrow(2, call.given_heads.size(2) - 1, 1).clone()
                                   : call.given_heads.clone();
  } else {
    heads = per_head_outputs(input, call, context);
  }
  head_outputs(call, heads);
  at::Tensor out = output_projection(heads);
  if (call.on_output) call.on_output(out);
  return out;
}

at::Tensor uniform_causal(int64_t length, const at::TensorOptions& options) {
  at::Tensor ones = at::ones({length, length}, options).tril();
  return ones / ones.sum(-1, true);
}

bool uniform_heads(const MixerCall& call, at::Tensor& map, at::Tensor& y, const at::Tensor& values) {
  at::Tensor uniform;
  for (const auto& [head, mode] : call.ablate) {
    if (mode != AblationMode::Uniform) continue;
    const int64_t L = y.size(2);
    if (!uniform.defined()) uniform = uniform_causal(L, values.options().dtype(at::kFloat));
    y.select(1, head).copy_(at::matmul(uniform.to(values.scalar_type()), values.select(1, head)));
    if (map.defined()) map.select(1, head).copy_(uniform);
  }
  return uniform.defined();
}

bool any_uniform(const MixerCall& call) {
  for (const auto& ablated : call.ablate)
    if (ablated.second == AblationMode::Uniform) return true;
  return false;
}

void capture(MixerCall& call, const at::Tensor& map) {
  if (call.capture) call.mixing = map.to(at::kFloat);
}

void ablate_head_slice(at::Tensor slice, AblationMode mode) {
  if (mode == AblationMode::Zero) slice.zero_();
  else if (mode == AblationMode::Mean) slice.copy_(slice.mean(-2, true).expand_as(slice));
}

void head_outputs(MixerCall& call, at::Tensor& y) {
  for (const auto& [head, mode] : call.ablate) ablate_head_slice(y.select(1, head), mode);
  if (call.on_head_outputs) call.on_head_outputs(y);
}

}  // namespace blocks
}  // namespace attnscope
