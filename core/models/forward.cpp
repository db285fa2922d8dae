#include "core/models/forward.h"

#include <algorithm>

#include <ATen/core/grad_mode.h>

#include <string>

#include "core/models/blocks/attention_block_buffers.h"
#include "core/runtime/memory_budget.h"

namespace attnscope {

void check_input_ids(const Model& model, const at::Tensor& input_ids) {
  const auto& info = model.info();
  const int64_t length = input_ids.size(-1);
  if (input_ids.numel() == 0) throw Error("the prompt is empty: nothing to run");
  if (info.max_positions > 0 && length > info.max_positions)
    throw Error("the prompt has " + std::to_string(length) + " tokens but this " + info.family +
                " model allows at most " + std::to_string(info.max_positions));
  const int64_t lo = input_ids.min().item<int64_t>();
  const int64_t hi = input_ids.max().item<int64_t>();
  if (lo < 0 || hi >= info.vocab_size)
    throw Error("token id " + std::to_string(lo < 0 ? lo : hi) + " is outside the model's vocabulary (0.." +
                std::to_string(info.vocab_size - 1) + ")");
}

ForwardResult run_forward(const Model& model, const at::Tensor& input_ids, const ForwardOptions& options) {
  at::NoGradGuard no_grad;
  const blocks::ReleasedAfterForward attention_buffers_released;  // kept from layer to layer, not after
  check_input_ids(model, input_ids);
  const auto& info = model.info();
  const int layers = info.num_layers;
  std::vector<int> ablated(options.ablations.size());
  for (size_t i = 0; i < options.ablations.size(); ++i)
    ablated[i] = ablated_mixer(info, options.ablations[i], options.channel_group);
  auto check_cancel = [&] {
    if (options.cancel && options.cancel->load()) throw Cancelled();
  };
  if (model.device().is_cpu()) {
    ForwardShape shape;
    shape.length = input_ids.size(-1);
    // Uniform ablation needs whole maps too (no blocks of queries): count it as capture.
    shape.capture = static_cast<bool>(options.capture_layer) ||
                    std::any_of(options.ablations.begin(), options.ablations.end(),
                                [](const HeadAblation& a) { return a.mode == AblationMode::Uniform; });
    shape.factors = static_cast<bool>(options.factor_layer);
    shape.every_position = options.logits_at_every_position;
    shape.channel_group = options.channel_group;
    shape.effective_view = options.view == MixingView::Effective;
    shape.element_bytes = static_cast<int>(at::elementSize(model.dtype()));
    shape.widened_matrix_bytes = model.widened_matrix_bytes();
    double need = forward_working_bytes(info, shape) * (options.start_hidden.defined() ? options.start_hidden.size(0) : 1);
    if (options.keep_residuals) need += static_cast<double>(layers) * shape.length * info.hidden_size * shape.element_bytes;
    require_memory(need, "a forward pass over " + std::to_string(shape.length) + " tokens",
                   "use a shorter prompt, capture fewer layers (--layers), or a GPU (--device cuda)");
  }

  ForwardResult result;
  at::Tensor ids = input_ids.dim() == 1 ? input_ids.unsqueeze(0) : input_ids;
  ids = ids.to(model.device(), at::kLong);
  if (options.start_layer > 0 && !options.start_hidden.defined())
    throw Error("resuming a forward pass needs the residual stream");
  const at::Tensor embedded = model.embed(ids);
  at::Tensor hidden = options.start_hidden.defined() ? options.start_hidden : embedded;
  // Whether each layer's output is finite, checked once at the end (no device sync per layer).
  std::vector<at::Tensor> finite;
  finite.push_back(at::isfinite(hidden).all());
  for (int l = options.start_layer; l < layers; ++l) {
    check_cancel();
    if (options.keep_residuals) result.residuals.push_back(hidden);
    LayerCall call(info.layers[l]);
    const bool capture = options.capture_layer && options.capture_layer(l);
    const bool factors = options.factor_layer && options.factor_layer(l);
    for (size_t m = 0; m < call.mixers.size(); ++m) {
      MixerCall& mixer = call.mixers[m];
      mixer.capture = capture, mixer.want_factors = factors, mixer.view = options.view,
      mixer.channel_group = options.channel_group;
      if (factors && options.attention_rows) mixer.attention_rows = options.attention_rows(l, static_cast<int>(m));
    }
    call.token_embeddings = embedded;
    call.last_position_only = l + 1 == layers && !options.logits_at_every_position && !options.whole_final_layer;
    for (size_t i = 0; i < options.ablations.size(); ++i)
      if (options.ablations[i].layer == l)
        call.mixers[ablated[i]].ablate.emplace_back(options.ablations[i].head, options.ablations[i].mode);
    if (options.on_layer_call) options.on_layer_call(l, call);
    hidden = model.layer(l, hidden, call);
    finite.push_back(at::isfinite(hidden).all());
    for (size_t m = 0; m < call.mixers.size(); ++m)
      if (call.mixers[m].capture && call.mixers[m].mixing.defined() && options.on_mixing)
        options.on_mixing(l, static_cast<int>(m), call.mixers[m].mixing.select(0, 0).to(at::kCPU, at::kFloat).contiguous());
    for (size_t m = 0; m < call.mixers.size(); ++m)
      if (call.mixers[m].factors.form != MixingFactors::Form::None && options.on_factors)
        options.on_factors(l, static_cast<int>(m), call.mixers[m].factors);
    if (options.on_progress) options.on_progress(l + 1, layers);
  }
  check_cancel();
  if (!options.logits_at_every_position) hidden = hidden.narrow(1, hidden.size(1) - 1, 1);
  const at::Tensor logits = model.logits(hidden).to(at::kCPU, at::kFloat);
  result.logits = logits.select(0, 0);
  if (logits.size(0) > 1) result.batch_logits = logits;
  finite.push_back(at::isfinite(result.logits).all().to(finite.front().device()));
  const at::Tensor ok = at::stack(finite).cpu();
  for (int64_t i = 0; i < ok.size(0); ++i) {
    if (ok[i].item<bool>()) continue;
    const int64_t layer = options.start_layer + i - 1;
    const std::string where = i == 0 ? (options.start_hidden.defined() ? "the resumed residual stream" : "the token embeddings")
                              : i + 1 == ok.size(0) ? "the final norm and output head"
                                                    : "the output of layer " + std::to_string(layer);
    throw Error("NaN or infinite values appear in " + where +
                " (the checkpoint's weights hold NaN/Inf, or the config's eps, rope_theta or scaling are unusable)");
  }
  return result;
}

int ablated_mixer(const ModelInfo& info, const HeadAblation& a, int channel_group) {
  const std::string spelled = a.mixer.empty() ? std::to_string(a.layer) + "." + std::to_string(a.head)
                                              : std::to_string(a.layer) + "." + a.mixer + "." + std::to_string(a.head);
  if (a.layer < 0 || a.layer >= info.num_layers)
    throw Error("cannot ablate head " + spelled + ": the model has " + std::to_string(info.num_layers) + " layers");
  const LayerInfo& layer = info.layers[a.layer];
  if (layer.mixers.empty())
    throw Error("cannot ablate head " + spelled + ": layer " + std::to_string(a.layer) + " mixes no tokens (" +
                layer.description + ")");
  const int m = layer.mixer_index(a.mixer);
  if (m < 0) {
    std::string names;
    for (const auto& mixer : layer.mixers) names += (names.empty() ? "" : " and ") + mixer.name;
    throw Error("cannot ablate head " + spelled + ": layer " + std::to_string(a.layer) + " has the mixers " + names +
                (a.mixer.empty() ? "; name one, e.g. " + std::to_string(a.layer) + "." + layer.mixers.front().name + "." +
                                       std::to_string(a.head)
                                 : ""));
  }
  const int heads = heads_in_view(layer.mixers[m], channel_group);
  if (a.head < 0 || a.head >= heads)
    throw Error("cannot ablate head " + spelled + ": " + mixer_label(info, a.layer, m) + " has " + std::to_string(heads) +
                " heads");
  return m;
}

std::string head_name(const ModelInfo& info, int layer, int mixer, int head) {
  const auto& l = info.layers.at(layer);
  return std::to_string(layer) + "." + (l.mixers.size() > 1 ? l.mixers.at(mixer).name + "." : "") + std::to_string(head);
}

std::string mixing_tensor_name(const ModelInfo& info, int layer, int mixer) {
  const auto& l = info.layers.at(layer);
  const std::string& name = l.mixers.at(mixer).name;
  return "mixing." + std::to_string(layer) + (l.mixers.size() > 1 && name != "ssm" ? "." + name : "");
}

std::vector<TokenProb> top_k(const at::Tensor& logits_row, int k) {
  at::Tensor logp = at::log_softmax(logits_row.to(at::kCPU, at::kDouble), -1);
  k = std::min<int>(k, static_cast<int>(logp.size(0)));
  auto [values, indices] = at::topk(logp, k);
  std::vector<TokenProb> out;
  for (int i = 0; i < k; ++i) {
    const double lp = values[i].item<double>();
    out.push_back({indices[i].item<int64_t>(), std::exp(lp), lp});
  }
  return out;
}

double token_logprob(const at::Tensor& logits_row, int64_t id) {
  return at::log_softmax(logits_row.to(at::kCPU, at::kDouble), -1)[id].item<double>();
}

}  // namespace attnscope
