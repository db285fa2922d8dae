#pragma once
// The feed-forward blocks the families use (none of them mixes tokens):
//  DenseMlp       down(act(up x))                          GPT-2, GPT-NeoX
//  GatedMlp       down(act(gate x * m0) * up x) * m1       Llama (SwiGLU), Falcon-H1's multipliers
//  FusedGatedMlp  [a | b] = W x (+ adapter x); down(act(a) * b)   Zamba2, Granite's shared MLP
//  Relu2Mlp       down(relu(up x)^2)                       Nemotron-H
//  SparseMoe      router + gated experts (+ a shared MLP)  Jamba, Granite-4.0-H
#include <ATen/ATen.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/models/blocks/attention_mixer.h"
#include "core/models/blocks/linear.h"

namespace attnscope::blocks {

class FeedForward {
 public:
  virtual ~FeedForward() = default;
  virtual at::Tensor operator()(const at::Tensor& x) const = 0;
  virtual std::string description() const = 0;
};

struct DenseMlp : FeedForward {
  Linear up, down;
  std::string act;
  DenseMlp(Linear up, Linear down, std::string act) : up(std::move(up)), down(std::move(down)), act(std::move(act)) {}
  at::Tensor operator()(const at::Tensor& x) const override { return down(activation(up(x), act)); }
  std::string description() const override { return "MLP"; }
};

struct GatedMlp : FeedForward {
  Linear gate, up, down;
  std::string act = "silu";
  double gate_multiplier = 1, out_multiplier = 1;
  GatedMlp(Linear gate, Linear up, Linear down, std::string act)
      : gate(std::move(gate)), up(std::move(up)), down(std::move(down)), act(std::move(act)) {}
  at::Tensor operator()(const at::Tensor& x) const override;
  std::string description() const override { return act == "silu" ? "SwiGLU MLP" : "gated MLP"; }
};

struct FusedGatedMlp : FeedForward {
  Linear gate_up, down;
  std::string act;
  std::optional<LowRank> adapter;  // Zamba2: this invocation's adapter on gate_up
  FusedGatedMlp(Linear gate_up, Linear down, std::string act)
      : gate_up(std::move(gate_up)), down(std::move(down)), act(std::move(act)) {}
  at::Tensor operator()(const at::Tensor& x) const override;
  std::string description() const override { return "gated MLP"; }
};

struct Relu2Mlp : FeedForward {
  Linear up, down;
  Relu2Mlp(Linear up, Linear down) : up(std::move(up)), down(std::move(down)) {}
  at::Tensor operator()(const at::Tensor& x) const override {
    const at::Tensor h = at::relu(up(x));
    return down(h * h);
  }
  std::string description() const override { return "relu^2 MLP"; }
};

struct SparseMoe : FeedForward {
  enum class Routing {
    SoftmaxThenTopK,  // Jamba: softmax over all experts, the top k kept as they are
    TopKThenSoftmax,  // Granite: softmax over the top k logits
  };
  Linear router;
  std::vector<std::shared_ptr<FeedForward>> experts;
  int top_k = 2;
  Routing routing = Routing::SoftmaxThenTopK;
  std::shared_ptr<FeedForward> shared;  // added to every token's output (Granite's shared_mlp)
  at::Tensor operator()(const at::Tensor& x) const override;
  std::string description() const override;
};

}  // namespace attnscope::blocks
