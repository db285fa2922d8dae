#pragma once
// The forward loop shared by every family: embeds, runs each layer with its
// ablations, streams captured maps to a sink one layer at a time (so a
// 32-layer model at L = 2048 never holds all maps), reports progress, and
// can be cancelled between layers.
#include <ATen/ATen.h>

#include <atomic>
#include <functional>
#include <vector>

#include "core/models/model.h"
#include "core/util/error.h"

namespace attnscope {

class Cancelled : public Error {
 public:
  Cancelled() : Error("cancelled") {}
};

struct ForwardOptions {
  std::vector<HeadAblation> ablations;
  // Which layers to capture; empty function = none.
  std::function<bool(int layer)> capture_layer;
  MixingView view = MixingView::Direct;
  int channel_group = 1;
  // Receives each captured layer's maps [heads, L, L], float32, CPU, right
  // after the layer ran; the driver drops them afterwards.
  std::function<void(int layer, const at::Tensor& mixing)> on_mixing;
  std::function<void(int layers_done, int layers_total)> on_progress;
  const std::atomic<bool>* cancel = nullptr;  // checked between layers
  // Logits at every position ([L, vocab], for dumps and parity checks) or at
  // the last one only ([1, vocab], all a next-token view needs: at L = 1024
  // GPT-2's full logits are 200 MB and a quarter of the forward's time).
  bool logits_at_every_position = false;
  // Keep the residual stream entering every layer (scans resume from it).
  bool keep_residuals = false;
  // Resume: run layers from `start_layer` on, starting from `start_hidden`
  // (the residual entering that layer, [1, L, d]); embeddings are skipped.
  int start_layer = 0;
  at::Tensor start_hidden;
};

struct ForwardResult {
  at::Tensor logits;                    // [L or 1, vocab] float32 on CPU; row -1 is the next token
  std::vector<at::Tensor> residuals;    // [1, L, d] entering each layer, on the model's device
};

// input_ids: [L] or [1, L] int64. Throws attnscope::Error when the prompt is
// empty or longer than the model allows, Cancelled when cancelled.
ForwardResult run_forward(const Model& model, const at::Tensor& input_ids,
                          const ForwardOptions& options = {});

// Validates ids against the model (length, vocabulary) with a clear message.
void check_input_ids(const Model& model, const at::Tensor& input_ids);

struct TokenProb {
  int64_t id = 0;
  double prob = 0;
  double logprob = 0;
};
// Top-k of the softmax of one logits row [vocab].
std::vector<TokenProb> top_k(const at::Tensor& logits_row, int k);
// log-softmax of one logits row, at token `id`.
double token_logprob(const at::Tensor& logits_row, int64_t id);

}  // namespace attnscope
