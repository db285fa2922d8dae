#include "core/models/blocks/attention_mixer.h"

#include <algorithm>
#include <cmath>
#include <vector>
#include <limits>

#include "core/mixing/softmax_block_summary.h"
#include "core/mixing/ssd.h"
#include "core/models/blocks/attention_block_buffers.h"
#include "core/util/error.h"

namespace attnscope::blocks {
namespace {

at::Tensor future_mask(int64_t L, const at::Device& device) {
  return at::ones({L, L}, at::TensorOptions().dtype(at::kBool).device(device)).triu(1);
}

}  // namespace

at::Tensor mixing_maps(const at::Tensor& q, const at::Tensor& k, double scale, ScoreForm form) {
  const int64_t B = q.size(0), H = q.size(1), Lq = q.size(2), L = k.size(2), d = q.size(3), Hkv = k.size(1),
                groups = H / Hkv;
  const at::Tensor future = future_mask(L, q.device()).narrow(0, L - Lq, Lq);
  if (form == ScoreForm::KeyOnlySoftmax) {
    at::Tensor kh = groups == 1 ? k : k.repeat_interleave(groups, 1);
    at::Tensor s = (q.to(at::kFloat) * kh.to(at::kFloat)).sum(-1) * scale;  // [B, H, L]: one score per key
    return at::softmax(s.unsqueeze(-2).expand({B, H, L, L}).masked_fill(future, -std::numeric_limits<float>::infinity()), -1);
  }
  at::Tensor scores = at::matmul(q.reshape({B, Hkv, groups * Lq, d}).to(at::kFloat), k.to(at::kFloat).transpose(-1, -2));
  // In place where autograd allows it (matmul's backward does not need its
  // output): at L = 2048 each extra copy of the scores is H x 16 MiB.
  scores = scores.mul_(scale).view({B, H, Lq, L});
  if (form == ScoreForm::Taylor) {
    // 1 + s + s^2 / 2 > 0 for every s: a valid normalised kernel without exp.
    at::Tensor a = (1 + scores + scores * scores * 0.5).masked_fill(future, 0.0);
    return a / a.sum(-1, true);
  }
  return at::softmax(scores.masked_fill_(future, -std::numeric_limits<float>::infinity()), -1);
}

namespace {

// Longer prompts, when no map is kept, are attended a block of queries at a
// time against the keys up to the block's last row (causal): the scores are
// [B, H, block, keys] instead of [B, H, L, L] (3.2 GB per layer for GPT-2
// small at L = 8192, 200 MB per block), and the masked half is never computed.

// Softmax attention of float32 CPU tensors outside autograd: the same
// products as mixing_maps, written into this thread's block buffers. With a
// sink (a batch of one), each block's softmax is mixing's, which shows the
// sink every row while it is in cache.
at::Tensor blocked_softmax_into_buffers(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale,
                                        mixing::SoftmaxRowSink* sink) {
  const int64_t B = q.size(0), H = q.size(1), L = q.size(2), d = q.size(3), Hkv = k.size(1), groups = H / Hkv;
  AttentionBlockBuffers& block_buffers = attention_block_buffers();
  block_buffers.fit(B * H * std::min(kAttentionQueryBlock, L) * L);
  // Only a block's last `rows` keys reach past some of its queries: the future is a rows x rows triangle.
  const at::Tensor future = future_mask(std::min(kAttentionQueryBlock, L), q.device());
  std::vector<at::Tensor> blocks;
  for (int64_t start = 0; start < L; start += kAttentionQueryBlock) {
    const int64_t rows = std::min(kAttentionQueryBlock, L - start), keys = start + rows;
    const int64_t count = B * H * rows * keys;
    at::Tensor scores = block_buffers.scores.narrow(0, 0, count).view({B * Hkv, groups * rows, keys});
    at::bmm_out(scores, q.narrow(2, start, rows).reshape({B * Hkv, groups * rows, d}),
                k.narrow(2, 0, keys).reshape({B * Hkv, keys, d}).transpose(1, 2));
    at::Tensor per_head = scores.view({B * H, rows, keys});
    per_head.mul_(scale);
    at::Tensor weights = block_buffers.weights.narrow(0, 0, count).view({B * Hkv, groups * rows, keys});
    if (sink && B == 1) {
      // [B * H_kv, groups * rows, keys] is [H, rows, keys] for one prompt (head kv * groups + g); the future is not read.
      mixing::causal_softmax_block(scores.data_ptr<float>(), weights.data_ptr<float>(), static_cast<int>(H), start, rows,
                                   keys, *sink);
    } else {
      per_head.narrow(2, start, rows).masked_fill_(future.narrow(0, 0, rows).narrow(1, 0, rows),
                                                    -std::numeric_limits<float>::infinity());
      at::softmax_out(weights, scores, -1);
    }
    blocks.push_back(at::bmm(weights, v.narrow(2, 0, keys).reshape({B * Hkv, keys, d})).view({B, H, rows, d}));
  }
  return at::cat(blocks, 2);
}

at::Tensor blocked_attention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v, double scale, ScoreForm form,
                             mixing::SoftmaxRowSink* sink) {
  const int64_t B = q.size(0), H = q.size(1), L = q.size(2), d = q.size(3), Hkv = k.size(1), groups = H / Hkv;
  const auto plain = [](const at::Tensor& t) { return t.scalar_type() == at::kFloat && t.device().is_cpu(); };
  if (form == ScoreForm::Softmax && plain(q) && plain(k) && plain(v) && !at::GradMode::is_enabled())
    return blocked_softmax_into_buffers(q, k, v, scale, sink);
  std::vector<at::Tensor> blocks;
  for (int64_t start = 0; start < L; start += kAttentionQueryBlock) {
    const int64_t rows = std::min(kAttentionQueryBlock, L - start), keys = start + rows;
    // The block's queries are the last `rows` of a `keys`-long prompt: mixing_maps masks them so.
    const at::Tensor map = mixing_maps(q.narrow(2, start, rows), k.narrow(2, 0, keys), scale, form);
    blocks.push_back(
        at::matmul(map.to(v.scalar_type()).view({B, Hkv, groups * rows, keys}), v.narrow(2, 0, keys)).view({B, H, rows, d}));
  }
  return at::cat(blocks, 2);
}

}  // namespace

AttentionMixer::AttentionMixer(AttentionSpec spec, Linear q, Linear k, Linear v, Linear o)
    : spec_(std::move(spec)), q_(std::move(q)), k_(std::move(k)), v_(std::move(v)), o_(std::move(o)) {}

void AttentionMixer::set_adapters(std::optional<LowRank> q, std::optional<LowRank> k, std::optional<LowRank> v) {
  q_adapter_ = std::move(q), k_adapter_ = std::move(k), v_adapter_ = std::move(v);
}

MixerInfo AttentionMixer::info() const {
  MixerInfo m = attention_mixer_info(spec_.heads, spec_.kv_heads);
  std::vector<int> recurrent;
  for (const auto& r : spec_.recurrent_heads) recurrent.push_back(r.head), m.head_kinds[r.head] = MixerKind::Mamba2SSD;
  if (!recurrent.empty()) m.description = attention_with_recurrent_heads_description(spec_.heads, spec_.kv_heads, recurrent);
  if (spec_.form == ScoreForm::PerTokenOnly) m.kind = MixerKind::Identity;
  if (spec_.form == ScoreForm::Taylor || spec_.form == ScoreForm::KeyOnlySoftmax) m.kind = MixerKind::RelaxedAttention;
  return m;
}

at::Tensor AttentionMixer::project(const Linear& proj, const std::optional<LowRank>& adapter, const at::Tensor& in,
                                   int64_t heads) const {
  at::Tensor t = proj(in);
  if (adapter) t = t + at::linear(at::linear(in, adapter->down), adapter->up);
  return t.view({t.size(0), t.size(1), heads, spec_.head_dim}).transpose(1, 2);  // [B or 1, n, L, d]
}

at::Tensor AttentionMixer::qk_input(const at::Tensor& x, const MixerContext& context) const {
  const int64_t L = x.size(1);
  const QkSource& s = spec_.qk_source;
  switch (s.kind) {
    case QkSource::Kind::Input: return x;
    case QkSource::Kind::Fixed: return s.norm(s.fixed.narrow(0, 0, L).unsqueeze(0));
    case QkSource::Kind::FixedIds:
      return s.norm(at::embedding(s.embedding, s.fixed.narrow(0, 0, L)).to(x.scalar_type()).unsqueeze(0));
    case QkSource::Kind::TokenEmbeddings:
      if (!context.token_embeddings.defined()) throw Error("this attention mixer needs the embedded prompt");
      return s.norm(context.token_embeddings);
  }
  return x;
}

at::Tensor AttentionMixer::per_head_outputs(const at::Tensor& x, MixerCall& call, const MixerContext& context) const {
  const int64_t B = x.size(0), L = x.size(1), H = spec_.heads, Hkv = spec_.kv_heads, d = spec_.head_dim;
  const at::Tensor qk_in = qk_input(x, context);
  at::Tensor q = project(q_, q_adapter_, qk_in, H).expand({B, H, L, d});
  at::Tensor k = project(k_, k_adapter_, qk_in, Hkv).expand({B, Hkv, L, d});
  at::Tensor v = project(v_, v_adapter_, x, Hkv);
  if (spec_.key_multiplier != 1) k = k * spec_.key_multiplier;
  if (spec_.q_norm) q = (*spec_.q_norm)(q);
  if (spec_.k_norm) k = (*spec_.k_norm)(k);
  const at::Tensor q_plain = q, k_plain = k;  // before RoPE: a recurrent head's C and B
  const int64_t groups = H / Hkv;
  at::Tensor y, map;
  if (spec_.form == ScoreForm::PerTokenOnly) {
    // Same q, k, v weights, combined within each position: q.k gates v elementwise.
    if (groups > 1) k = k.repeat_interleave(groups, 1), v = v.repeat_interleave(groups, 1);
    y = at::silu(q * k) * v;  // [B, H, L, d]
    if (call.capture) map = at::eye(L, x.options().dtype(at::kFloat)).expand({B, H, L, L}).contiguous();
  } else {
    q = spec_.rotary.apply(q), k = spec_.rotary.apply(k);
    // Only the last query's row is read (the final layer of a run that keeps the last logits).
    const int64_t Lq = call.only_last_query() && spec_.form != ScoreForm::KeyOnlySoftmax ? 1 : L;
    const double scale = spec_.scale ? *spec_.scale : 1.0 / std::sqrt(static_cast<double>(d));
    // Every query's factors, taken before the final layer narrows to its last query.
    if (call.want_factors && gives_factors(call)) call.factors = {MixingFactors::Form::Softmax, q, k, scale, {}, {}, {}, {}, {}};
    if (Lq < L) q = q.narrow(2, L - 1, 1);
    if (Lq == L && L > kBlockedAttentionFrom && !call.capture && !any_uniform(call) && spec_.form != ScoreForm::KeyOnlySoftmax) {
      // Its rows are the map's only where the factors are those of the map (gives_factors).
      mixing::SoftmaxRowSink* sink = call.want_factors && gives_factors(call) ? call.attention_rows : nullptr;
      return recurrent_outputs(x, q_plain, k_plain, v, blocked_attention(q, k, v, scale, spec_.form, sink), nullptr);
    }
    map = mixing_maps(q, k, scale, spec_.form);
    y = at::matmul(map.to(v.scalar_type()).view({B, Hkv, groups * Lq, L}), v).view({B, H, Lq, d});
    // Their maps only when kept: training differentiates through `map` (y's matmul), which must stay as it is.
    y = recurrent_outputs(x, q_plain, k_plain, v, y, call.capture ? &map : nullptr);
    if (call.ablate.size()) {
      const at::Tensor values = groups == 1 ? v : v.repeat_interleave(groups, 1);
      uniform_heads(call, map, y, values);
    }
  }
  if (map.defined()) capture(call, map);
  return y;
}

at::Tensor AttentionMixer::recurrent_outputs(const at::Tensor& input, const at::Tensor& q, const at::Tensor& k,
                                             const at::Tensor& v, at::Tensor y, at::Tensor* map) const {
  if (spec_.recurrent_heads.empty()) return y;
  const int64_t L = input.size(1), Lq = y.size(2), groups = spec_.heads / spec_.kv_heads;
  std::vector<at::Tensor> outputs;
  std::vector<int64_t> index;
  for (const auto& r : spec_.recurrent_heads) {
    const int64_t kv = r.head / groups;
    mixing::SsdInputs in;
    in.x = v.select(1, kv).to(at::kFloat).unsqueeze(2);        // [B, L, 1, d]
    in.B = k.select(1, kv).to(at::kFloat).unsqueeze(2);        // [B, L, 1, d]
    // Scaled as attention scales its scores, so q.k starts at the magnitude softmax saw.
    in.C = q.select(1, r.head).to(at::kFloat).unsqueeze(2) / std::sqrt(static_cast<double>(q.size(-1)));  // [B, L, 1, d]
    in.dt = at::softplus(r.dt_proj(input).to(at::kFloat) + r.dt_bias.to(at::kFloat));  // [B, L, 1]
    in.A = -r.A_log.to(at::kFloat).exp();
    const at::Tensor out = mixing::ssd_chunked(in) + in.x * r.D.to(at::kFloat);  // [B, L, 1, d]
    outputs.push_back(out.select(2, 0).narrow(1, L - Lq, Lq).to(y.scalar_type()));
    index.push_back(r.head);
    if (map) map->select(1, r.head).copy_(mixing::ssd_matrix(in).select(1, 0).narrow(1, L - Lq, Lq));
  }
  // Out of place, so training differentiates through the replaced heads.
  return y.index_copy(1, at::tensor(index, y.options().dtype(at::kLong)), at::stack(outputs, 1));
}

bool AttentionMixer::gives_factors(const MixerCall& call) const {
  return spec_.form == ScoreForm::Softmax && spec_.recurrent_heads.empty() && !any_uniform(call);
}

at::Tensor AttentionMixer::output_projection(const at::Tensor& y) const {
  const int64_t B = y.size(0), H = y.size(1), L = y.size(2), d = y.size(3);
  return o_(y.transpose(1, 2).reshape({B, L, H * d}));
}

}  // namespace attnscope::blocks
