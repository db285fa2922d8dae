#include "core/models/blocks/read_blocks.h"

namespace attnscope::blocks {

AttentionSpec attention_spec(const AttentionConfig& a) {
  AttentionSpec spec;
  spec.heads = a.heads, spec.kv_heads = a.kv_heads, spec.head_dim = a.head_dim;
  spec.scale = a.scale;
  if (a.rotary_dim > 0) spec.rotary = Rotary(a.rotary_dim, a.rope_theta, a.rope_scaling);
  return spec;
}

std::shared_ptr<AttentionMixer> read_attention(const Weights& w, const std::string& p, AttentionSpec spec, int64_t in,
                                               int64_t out, bool qkv_bias, bool o_bias) {
  const int64_t q_width = spec.heads * spec.head_dim, kv_width = spec.kv_heads * spec.head_dim;
  return std::make_shared<AttentionMixer>(spec, read_linear(w, p + "q_proj", in, q_width, qkv_bias),
                                          read_linear(w, p + "k_proj", in, kv_width, qkv_bias),
                                          read_linear(w, p + "v_proj", in, kv_width, qkv_bias),
                                          read_linear(w, p + "o_proj", q_width, out, o_bias));
}

std::shared_ptr<GatedMlp> read_gated_mlp(const Weights& w, const std::string& p, int64_t hidden, int64_t inner,
                                         const std::string& act, bool bias) {
  return std::make_shared<GatedMlp>(read_linear(w, p + "gate_proj", hidden, inner, bias),
                                    read_linear(w, p + "up_proj", hidden, inner, bias),
                                    read_linear(w, p + "down_proj", inner, hidden, bias), act);
}

at::Tensor read_head_weight(const Weights& w, const std::string& name, bool tied, const at::Tensor& embedding,
                            int64_t vocab, int64_t hidden) {
  return tied || !w.has(name) ? embedding : w.get_matrix(name, {vocab, hidden});
}

}  // namespace attnscope::blocks
