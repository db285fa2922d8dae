#pragma once
// A group-lasso penalty on attention heads: the sum over heads of the norm of
// each head's slice of its layer's output projection. Training with it
// switches off the heads a task does not need (their output goes to zero),
// so what a small model learns sits in a few heads, as it does in large
// models where most heads can be pruned, and a head scan can single them out.
#include <ATen/ATen.h>
#include <string>
#include <utility>
#include <vector>

namespace attnscope::train {

struct HeadOutputProjection {
  at::Tensor weight;  // [hidden, heads * head_dim]
  int64_t heads = 0;
  int layer = -1;     // from the parameter's name ("model.layers.3. ..."); -1 when it names none
};

// The attention output projections among a model's named parameters
// ("...self_attn.o_proj.weight"), each with its layer's head count; only
// those of `layers` when it is not empty.
std::vector<HeadOutputProjection> head_output_projections(
    const std::vector<std::pair<std::string, at::Tensor>>& named, int64_t heads_per_layer,
    const std::vector<int>& layers = {});

// sum over layers and heads of ||W_O[:, head]||_F.
at::Tensor head_group_norm(const std::vector<HeadOutputProjection>& projections);

}  // namespace attnscope::train
