#pragma once
// Causal attention as one mixer for every family: separate q, k, v, o
// projections (fused checkpoint layouts are split by their family file),
// grouped-query heads (query head h reads kv head h / (heads / kv_heads)),
// RoPE on all or part of each head, per-head q/k RMSNorms (Qwen3), a key
// multiplier (Falcon-H1), per-invocation LoRA adapters on q, k, v (Zamba2's
// shared block), and the relaxed variants of the "Deconstructing Attention"
// study (attnscope_hybrid): other score forms, queries and keys from another
// input, or no mixing at all.
#include <ATen/ATen.h>

#include <optional>
#include <vector>

#include "core/models/blocks/linear.h"
#include "core/models/blocks/mixer.h"
#include "core/models/blocks/norms.h"
#include "core/models/blocks/rotary.h"

namespace attnscope::blocks {

// How one head's scores become its map M (docs/metrics.md describes each).
enum class ScoreForm {
  Softmax,         // softmax(q.k * scale) over j <= i
  Taylor,          // second-order Taylor expansion of exp, normalised per row (as Based)
  KeyOnlySoftmax,  // per-token scalar s_j = q_j.k_j * scale, cumulative softmax over j <= i (ignores the query)
  PerTokenOnly,    // no mixing: silu(q * k) * v at each position (no RoPE), M = I
};

// Where queries and keys come from when not from the mixer's input.
struct QkSource {
  enum class Kind { Input, Fixed, FixedIds, TokenEmbeddings } kind = Kind::Input;
  at::Tensor fixed;      // Fixed: [max_positions, d]; FixedIds: [max_positions] token ids
  at::Tensor embedding;  // FixedIds: the model's embedding table
  Norm norm;             // the layer's input norm, applied to the source too
};

struct LowRank {  // x -> up(down(x)), added to a projection
  at::Tensor down, up;
};

// A head of an attention mixer computed by a Mamba-2 (SSD) scan instead of
// softmax (retrieval-aware distillation, core/train/distill.h): the head's
// own query (times head_dim^-1/2, as attention scales its scores), key and
// value (before RoPE) serve as C, B and x; the step size
// dt = softplus(dt_proj(input) + dt_bias), decay A = -exp(A_log), skip D.
// Its map is the SSD matrix.
struct RecurrentHead {
  int head = 0;
  Linear dt_proj;  // [1, d_model]
  at::Tensor dt_bias, A_log, D;  // [1] each
};

struct AttentionSpec {
  int64_t heads = 0, kv_heads = 0, head_dim = 0;
  std::optional<double> scale;  // default head_dim^-0.5
  Rotary rotary;                // rotary_dim 0: no positions (NoPE)
  std::optional<Norm> q_norm, k_norm;
  double key_multiplier = 1;
  ScoreForm form = ScoreForm::Softmax;
  QkSource qk_source;
  std::vector<RecurrentHead> recurrent_heads;  // softmax form only
};

// [B, H, Lq, L] float32 maps of the last Lq queries q [B, H, Lq, d] against
// keys k [B, H_kv, L, d] (Lq = L: the whole map; KeyOnlySoftmax needs it
// whole). Grouped-query attention: query head h reads kv head h / groups,
// done as a reshape [B, H_kv, groups * L, d] so no kv copy is made.
at::Tensor mixing_maps(const at::Tensor& q, const at::Tensor& k, double scale, ScoreForm form);

// Prompts longer than this, when no map is kept, are attended a block of
// kAttentionQueryBlock queries at a time (memory budgets count on it).
inline constexpr int64_t kBlockedAttentionFrom = 1024;
inline constexpr int64_t kAttentionQueryBlock = 512;

class AttentionMixer : public Mixer {
 public:
  AttentionMixer(AttentionSpec spec, Linear q, Linear k, Linear v, Linear o);
  // Zamba2: the same weights, with this invocation's adapters.
  void set_adapters(std::optional<LowRank> q, std::optional<LowRank> k, std::optional<LowRank> v);
  MixerInfo info() const override;
  const AttentionSpec& spec() const { return spec_; }

 protected:
  at::Tensor per_head_outputs(const at::Tensor& x, MixerCall& call, const MixerContext& context) const override;
  at::Tensor output_projection(const at::Tensor& heads) const override;
  bool gives_factors(const MixerCall& call) const override;

 private:
  // y [B, H, Lq, d] with the recurrent heads' last Lq rows replaced (and their maps in `map`, when given).
  at::Tensor recurrent_outputs(const at::Tensor& input, const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                               at::Tensor y, at::Tensor* map) const;
  at::Tensor project(const Linear& proj, const std::optional<LowRank>& adapter, const at::Tensor& in, int64_t heads) const;
  at::Tensor qk_input(const at::Tensor& x, const MixerContext& context) const;
  AttentionSpec spec_;
  Linear q_, k_, v_, o_;
  std::optional<LowRank> q_adapter_, k_adapter_, v_adapter_;
};

}  // namespace attnscope::blocks
