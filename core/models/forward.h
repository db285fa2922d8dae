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
  // Which layers to capture (every mixer of them); empty function = none.
  std::function<bool(int layer)> capture_layer;
  MixingView view = MixingView::Direct;
  int channel_group = 1;
  // Receives each captured mixer's maps [heads, L, L], float32, CPU, right
  // after its layer ran (mixer: index into LayerInfo::mixers); the driver
  // drops them afterwards.
  std::function<void(int layer, int mixer, const at::Tensor& mixing)> on_mixing;
  // Layers whose mixers hand over their maps' factors (MixerCall::factors) to
  // on_factors, right after the layer ran; a mixer whose map has none sends
  // its maps to on_mixing instead. Factors alone never make an L x L map.
  std::function<bool(int layer)> factor_layer;
  std::function<void(int layer, int mixer, const MixingFactors& factors)> on_factors;
  // Of those layers' mixers, what sees the rows of a map computed a block of
  // queries at a time during the layer (MixerCall::attention_rows); null for none.
  std::function<mixing::SoftmaxRowSink*(int layer, int mixer)> attention_rows;
  // Sees each layer's call before it runs (hooks for patching, replacement).
  std::function<void(int layer, LayerCall& call)> on_layer_call;
  std::function<void(int layers_done, int layers_total)> on_progress;
  const std::atomic<bool>* cancel = nullptr;  // checked between layers
  // Logits at every position ([L, vocab], for dumps and parity checks) or at
  // the last one only ([1, vocab], all a next-token view needs: at L = 1024
  // GPT-2's full logits are 200 MB and a quarter of the forward's time).
  bool logits_at_every_position = false;
  // Otherwise the final layer computes its last position only where nothing
  // watches it (LayerCall::last_position_only); true computes it whole, so
  // runs with and without hooks on it round alike (activation patching).
  bool whole_final_layer = false;
  // Keep the residual stream entering every layer (scans resume from it).
  bool keep_residuals = false;
  // Resume: run layers from `start_layer` on, starting from `start_hidden`
  // (the residual entering that layer, [B, L, d]; B > 1 runs B variants at
  // once, told apart by hooks, with every row's logits in batch_logits).
  int start_layer = 0;
  at::Tensor start_hidden;
};

struct ForwardResult {
  at::Tensor logits;                    // [L or 1, vocab] float32 on CPU; row -1 is the next token
  std::vector<at::Tensor> residuals;    // [1, L, d] entering each layer, on the model's device
  at::Tensor batch_logits;              // [B, L or 1, vocab] float32 on CPU, when start_hidden has B > 1
};

// input_ids: [L] or [1, L] int64. Throws attnscope::Error when the prompt is
// empty or longer than the model allows, Cancelled when cancelled.
ForwardResult run_forward(const Model& model, const at::Tensor& input_ids,
                          const ForwardOptions& options = {});

// Validates ids against the model (length, vocabulary) with a clear message.
void check_input_ids(const Model& model, const at::Tensor& input_ids);

// The mixer of `layer` an ablation names (its `mixer`, or the only one),
// checked with one clear message: the layer exists, has that mixer, and
// that mixer has the head (Mamba-1 channels grouped by channel_group).
int ablated_mixer(const ModelInfo& info, const HeadAblation& ablation, int channel_group);

// "3.5", or "3.attn.5" when layer 3 has several mixers (the --ablate syntax).
std::string head_name(const ModelInfo& info, int layer, int mixer, int head);
// The fixtures' and dumps' tensor name of a mixer's maps: mixing.<L> for a
// layer's only or SSM mixer, mixing.<L>.<name> for the others (mixing.3.attn).
std::string mixing_tensor_name(const ModelInfo& info, int layer, int mixer);

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
