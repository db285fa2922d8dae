#pragma once
// Reading the common blocks from a checkpoint under the names most
// families give them (q_proj/k_proj/v_proj/o_proj, gate_proj/up_proj/down_proj),
// so each family file says only where its blocks are and how they differ.
#include <memory>
#include <string>

#include "core/models/blocks/attention_mixer.h"
#include "core/models/blocks/feed_forward.h"
#include "core/models/config/hybrid_families.h"
#include "core/models/weights.h"

namespace attnscope::blocks {

// RoPE, scale and head sizes of a configured attention.
AttentionSpec attention_spec(const AttentionConfig& config);

// `<prefix>{q,k,v,o}_proj` over an input of width `in` and an output of width `out`.
std::shared_ptr<AttentionMixer> read_attention(const Weights& w, const std::string& prefix, AttentionSpec spec, int64_t in,
                                               int64_t out, bool qkv_bias, bool o_bias);

// `<prefix>{gate,up,down}_proj`.
std::shared_ptr<GatedMlp> read_gated_mlp(const Weights& w, const std::string& prefix, int64_t hidden, int64_t inner,
                                         const std::string& act, bool bias);

// A weight or, for a tied head, the embedding table.
at::Tensor read_head_weight(const Weights& w, const std::string& name, bool tied, const at::Tensor& embedding,
                            int64_t vocab, int64_t hidden);

}  // namespace attnscope::blocks
