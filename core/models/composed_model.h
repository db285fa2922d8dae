#pragma once
// A model as its family file assembles it: an embedding, a list of layers
// (core/models/blocks/layers.h) and an output head. The Model interface's
// three steps are implemented here once, for every family.
#include <ATen/ATen.h>

#include <memory>
#include <vector>

#include "core/models/blocks/layers.h"
#include "core/models/model.h"
#include "core/models/weights.h"

namespace attnscope {

struct EmbeddingSpec {
  at::Tensor table;      // [vocab, d]
  at::Tensor positions;  // learned positions [max, d] (GPT-2), or undefined
  double multiplier = 1;
};

struct HeadSpec {
  blocks::Norm norm;   // the final norm
  at::Tensor weight;   // [vocab, d] (the embedding table when tied)
  at::Tensor bias;     // [vocab] or undefined
  double multiplier = 1;
};

class ComposedModel : public Model {
 public:
  // `info` gives family, sizes and limits; its layers are taken from the layers themselves.
  ComposedModel(ModelInfo info, const LoadOptions& options, EmbeddingSpec embedding,
                std::vector<std::unique_ptr<blocks::Layer>> layers, HeadSpec head);

  const ModelInfo& info() const override { return info_; }
  at::Device device() const override { return options_.device; }
  at::ScalarType dtype() const override { return options_.dtype; }
  at::Tensor embed(const at::Tensor& ids) const override;
  at::Tensor layer(int index, const at::Tensor& hidden, LayerCall& call) const override;
  at::Tensor logits(const at::Tensor& hidden) const override;
  // The LM head ([vocab, d], the largest matrix of every family here).
  double widened_matrix_bytes() const override;

 private:
  ModelInfo info_;
  LoadOptions options_;
  EmbeddingSpec embedding_;
  std::vector<std::unique_ptr<blocks::Layer>> layers_;
  HeadSpec head_;
};

}  // namespace attnscope
