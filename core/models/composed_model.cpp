#include "core/models/composed_model.h"

#include "core/models/blocks/linear.h"
#include "core/util/error.h"

namespace attnscope {

ComposedModel::ComposedModel(ModelInfo info, const LoadOptions& options, EmbeddingSpec embedding,
                             std::vector<std::unique_ptr<blocks::Layer>> layers, HeadSpec head)
    : info_(std::move(info)), options_(options), embedding_(std::move(embedding)), layers_(std::move(layers)),
      head_(std::move(head)) {
  info_.num_layers = static_cast<int>(layers_.size());
  info_.layers.clear();
  for (const auto& l : layers_) info_.layers.push_back(l->info());
}

at::Tensor ComposedModel::embed(const at::Tensor& ids) const {
  // The table may be kept in the checkpoint's narrower dtype (Weights::get_matrix).
  at::Tensor x = at::embedding(embedding_.table, ids).to(options_.dtype);
  if (embedding_.positions.defined())
    x = x + at::embedding(embedding_.positions, at::arange(ids.size(1), ids.options())).unsqueeze(0);
  return embedding_.multiplier != 1 ? x * embedding_.multiplier : x;
}

at::Tensor ComposedModel::layer(int index, const at::Tensor& hidden, LayerCall& call) const {
  if (index < 0 || index >= static_cast<int>(layers_.size())) throw Error("no layer " + std::to_string(index));
  if (call.mixers.empty() && !info_.layers[index].mixers.empty()) call.mixers.resize(info_.layers[index].mixers.size());
  blocks::MixerContext context{call.token_embeddings};
  return layers_[index]->forward(hidden, call, context);
}

double ComposedModel::widened_matrix_bytes() const {
  const at::Tensor& w = head_.weight;
  return w.scalar_type() == options_.dtype ? 0.0 : static_cast<double>(w.numel()) * at::elementSize(options_.dtype);
}

at::Tensor ComposedModel::logits(const at::Tensor& hidden) const {
  at::Tensor out = blocks::dense(head_.norm(hidden), head_.weight, head_.bias);
  return head_.multiplier != 1 ? out * head_.multiplier : out;
}

}  // namespace attnscope
