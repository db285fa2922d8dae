#include "core/train/head_sparsity.h"

#include <algorithm>
#include <cctype>

#include "core/util/error.h"

namespace attnscope::train {

namespace {
bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// 3 for "model.layers.3.self_attn.o_proj.weight"; -1 when no "layers.N." is in the name.
int layer_in_name(const std::string& name) {
  const auto at = name.find("layers.");
  if (at == std::string::npos) return -1;
  size_t end = at + 7;
  while (end < name.size() && std::isdigit(static_cast<unsigned char>(name[end]))) ++end;
  return end > at + 7 ? std::stoi(name.substr(at + 7, end - at - 7)) : -1;
}
}  // namespace

std::vector<HeadOutputProjection> head_output_projections(
    const std::vector<std::pair<std::string, at::Tensor>>& named, int64_t heads_per_layer,
    const std::vector<int>& layers) {
  std::vector<HeadOutputProjection> out;
  for (const auto& [name, t] : named) {
    if (!ends_with(name, "self_attn.o_proj.weight")) continue;
    const int layer = layer_in_name(name);
    if (!layers.empty() && std::find(layers.begin(), layers.end(), layer) == layers.end()) continue;
    if (heads_per_layer < 1 || t.dim() != 2 || t.size(1) % heads_per_layer != 0)
      throw Error(name + ": its " + std::to_string(t.size(1)) + " input columns do not split into " +
                  std::to_string(heads_per_layer) + " heads");
    out.push_back({t, heads_per_layer, layer});
  }
  return out;
}

at::Tensor head_group_norm(const std::vector<HeadOutputProjection>& projections) {
  at::Tensor total = at::zeros({});
  for (const auto& p : projections) {
    const auto per_head = p.weight.reshape({p.weight.size(0), p.heads, p.weight.size(1) / p.heads});
    // A small floor keeps the gradient finite once a head's output is exactly zero.
    total = total + (per_head.pow(2).sum(at::IntArrayRef{0, 2}) + 1e-12).sqrt().sum();
  }
  return total;
}

}  // namespace attnscope::train
