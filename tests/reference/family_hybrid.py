"""attnscope_hybrid, the project's own format for models that mix layer kinds
(documented in docs/families.md): Mamba-2 layers `x + mixer(rms_norm(x))`
with Mamba-2 tensor names under model.layers.N.{norm, mixer.*}, and Llama
decoder layers whose attention may be one of the relaxed mixers of
"Deconstructing Attention" (Xue, Moosavi, Aletras 2025):
  standard         softmax attention (RoPE, GQA) as in Llama
  approximate      second-order Taylor kernel 1 + s + s^2/2 of the scaled
                   scores, normalised per row (causal)
  non_approximate  one score per key s_j = q_j . k_j * scale; row i is the
                   softmax of s_0..s_i (the query does not enter)
  mlp              no mixing: silu(q * k) * v at each position (no RoPE), M = I
  rnd_emb_qk       q and k from fixed random vectors self_attn.qk_source[:L]
  fixed_seq_qk     q and k from the embeddings of the fixed token sequence
                   self_attn.qk_source_ids[:L]
  static_emb_qk    q and k from the prompt's token embeddings
q/k inputs other than the block's own go through the same input_layernorm.
mixer_layout alternate gives odd layers the mixer and even layers standard.
ssm_attention_heads {"<layer>": [h, ...]} computes those heads of Mamba-2
layers by softmax attention over their own SSM values (head replacement,
core/train/graft.h): family_mamba2.mixer's attention_heads. The ssm_* keys
use_conv_bias, use_bias, norm_before_gate, gate_eps and time_step_limit are
mamba2's own. attention_ssm_heads {"<layer>": [h, ...]} computes those heads
of standard attention layers by an SSD scan over their own q, k, v
(retrieval-aware distillation, core/train/distill.h): _attention_with_ssm_heads."""
import numpy as np

import family_llama as llama
import family_mamba2 as mamba2
from attention import (ablate, apply_rope, causal_attention, expand_kv, merge_heads, rope_inv_freq, split_heads,
                       uniform_map)
from numerics import linear, matmul, rms_norm, silu, softplus
from ssm import check_ssd_by_recurrence, ssd_matrix

FAMILY = "attnscope_hybrid"


def attention_config(config):
    """The Llama view of the config, for the attention layers."""
    return dict(config, model_type="attnscope_hybrid")


def ssm_sizes(config):
    d = config["hidden_size"]
    head_dim = config.get("ssm_head_dim", 16)
    heads = config.get("ssm_num_heads", 2 * d // head_dim)
    limit = config.get("ssm_time_step_limit", [0.0, None])
    return mamba2.Sizes(d, heads * head_dim, heads, head_dim, config.get("ssm_n_groups", 1),
                        config.get("ssm_state_size", 16), config.get("ssm_conv_kernel", 4),
                        config.get("ssm_use_conv_bias", True), config.get("ssm_use_bias", False),
                        config.get("ssm_gate_eps", config.get("rms_norm_eps", 1e-5)),
                        config.get("ssm_norm_before_gate", False),
                        (limit[0], float("inf") if limit[1] is None else limit[1]))


def attention_heads(config, layer):
    """Heads of Mamba-2 layer `layer` computed by softmax attention (ssm_attention_heads)."""
    return sorted(config.get("ssm_attention_heads", {}).get(str(layer), []))


def ssm_heads(config, layer):
    """Heads of attention layer `layer` computed by an SSD scan (attention_ssm_heads)."""
    return sorted(config.get("attention_ssm_heads", {}).get(str(layer), []))


def _attention_with_ssm_heads(acfg, w, p, h, targets, mode, inv_freq, recurrent):
    """Standard attention whose `recurrent` heads are SSD scans over their own
    q (times head_dim^-1/2, as C), k (as B) and v (as x), all before RoPE: dt = softplus(dt_proj(h)
    + dt_bias), decay exp(-exp(A_log) dt), skip D. Their maps are the SSD matrices."""
    _, H, kv, hd = llama.shape(acfg)
    lin = lambda name, x: linear(x, w[p + name + ".weight"], w.get(p + name + ".bias"))
    q = split_heads(lin("self_attn.q_proj", h), H)
    k = split_heads(lin("self_attn.k_proj", h), kv)
    v = split_heads(lin("self_attn.v_proj", h), kv)
    probs, ctx = causal_attention(apply_rope(q, inv_freq), apply_rope(k, inv_freq), v, hd ** -0.5)
    groups = H // kv
    for head in recurrent:
        r, g = p + f"self_attn.ssm_heads.{head}.", head // groups
        dt = softplus(linear(h, w[r + "dt_proj.weight"])[:, 0] + w[r + "dt_bias"][0])[None]  # [1, L]
        log_decay = dt * -np.exp(w[r + "A_log"][0])
        C = q[head][None] * hd ** -0.5  # scaled as attention scales its scores
        M = ssd_matrix(k[g][None], C, log_decay, dt)
        check_ssd_by_recurrence(M, v[g][None], k[g][None], C, log_decay, dt, r + " SSD matrix")
        probs[head], ctx[head] = M[0], matmul(M[0], v[g]) + w[r + "D"][0] * v[g]
    if mode == "uniform":
        values = expand_kv(v, H)
        for t in targets:
            probs[t] = uniform_map(len(h))
            ctx[t] = matmul(probs[t], values[t])
    return probs, lin("self_attn.o_proj", merge_heads(ablate(ctx, targets, mode)))


def layer_mixers(config):
    mixer, layout = config.get("attention_mixer", "standard"), config.get("mixer_layout", "uniform")
    return ["" if t == "mamba2" else mixer if layout == "uniform" or l % 2 == 1 else "standard"
            for l, t in enumerate(config["layer_types"])]


def make_weights(config, w):
    d, vocab = config["hidden_size"], config["vocab_size"]
    positions = config.get("max_position_embeddings", 0)
    w.embedding("model.embed_tokens.weight", (vocab, d))
    for l, mixer in enumerate(layer_mixers(config)):
        p = f"model.layers.{l}."
        if not mixer:
            w.norm(p + "norm.weight", (d,))
            mamba2.make_mixer_weights(w, p + "mixer.", ssm_sizes(config))
            dk = config.get("ssm_attention_head_dim", ssm_sizes(config).n)
            for h in attention_heads(config, l):
                a = p + f"mixer.attention_heads.{h}."
                w.dense(a + "q_proj.weight", (dk, d), 2.0)
                w.dense(a + "k_proj.weight", (dk, d), 2.0)
                w.uniform(a + "log_gain", (1,), -0.5, 1.0)
            continue
        llama.make_block_weights(attention_config(config), w, p)
        for h in ssm_heads(config, l):
            r = p + f"self_attn.ssm_heads.{h}."
            w.dense(r + "dt_proj.weight", (1, d))
            w.dt_bias(r + "dt_bias", (1,))
            w.a_log(r + "A_log", (1,), 1.0, 8.0)
            w.uniform(r + "D", (1,), 0.5, 1.5)
        if mixer == "rnd_emb_qk":
            w.embedding(p + "self_attn.qk_source", (positions, d))
        if mixer == "fixed_seq_qk":
            w[p + "self_attn.qk_source_ids"] = w.stream.integers(p + "self_attn.qk_source_ids", (positions,), vocab)
    w.norm("model.norm.weight", (d,))
    if not config.get("tie_word_embeddings", True):
        w.dense("lm_head.weight", (vocab, d))
    return w


def _per_token(config, w, p, h, qk, targets, mode):
    """The mlp mixer: silu(q * k) * v within each position."""
    _, H, kv, _ = llama.shape(config)
    lin = lambda name, x: linear(x, w[p + name + ".weight"], w.get(p + name + ".bias"))
    q = split_heads(lin("self_attn.q_proj", qk), H)
    k = expand_kv(split_heads(lin("self_attn.k_proj", qk), kv), H)
    v = expand_kv(split_heads(lin("self_attn.v_proj", h), kv), H)
    y = ablate(silu(q * k) * v, targets, mode)
    identity = np.broadcast_to(np.eye(len(h)), (H, len(h), len(h))).copy()
    return identity, lin("self_attn.o_proj", merge_heads(y))


def forward(config, w, ids, ablation):
    mode, heads_of = ablation
    eps = config.get("rms_norm_eps", 1e-5)
    acfg = attention_config(config)
    _, _, _, hd = llama.shape(acfg) if "num_attention_heads" in config else (0, 0, 0, 0)
    inv_freq = rope_inv_freq(hd, config.get("rope_theta", 10000.0)) if hd else None
    embedded = w["model.embed_tokens.weight"][ids]
    length = len(ids)
    x = embedded
    maps = {}
    for l, mixer in enumerate(layer_mixers(config)):
        p, targets = f"model.layers.{l}.", heads_of.get(str(l), [])
        if not mixer:
            maps[str(l)], out = mamba2.mixer(w, p + "mixer.", rms_norm(x, w[p + "norm.weight"], eps), ssm_sizes(config),
                                             targets, mode, attention_heads(config, l))
            x = x + out
            continue
        norm = w[p + "input_layernorm.weight"]
        h = rms_norm(x, norm, eps)
        sources = {"rnd_emb_qk": lambda: w[p + "self_attn.qk_source"][:length],
                   "fixed_seq_qk": lambda: w["model.embed_tokens.weight"][w[p + "self_attn.qk_source_ids"][:length]],
                   "static_emb_qk": lambda: embedded}
        qk = rms_norm(sources[mixer](), norm, eps) if mixer in sources else None
        if ssm_heads(config, l):
            maps[str(l)], out = _attention_with_ssm_heads(acfg, w, p, h, targets, mode, inv_freq, ssm_heads(config, l))
        elif mixer == "mlp":
            maps[str(l)], out = _per_token(acfg, w, p, h, h if qk is None else qk, targets, mode)
        else:
            form = {"approximate": "taylor", "non_approximate": "key_only"}.get(mixer, "softmax")
            maps[str(l)], out = llama.attention(acfg, w, p, h, targets, mode, inv_freq, qk, form)
        x = x + out
        x = x + llama.mlp(acfg, w, p, rms_norm(x, w[p + "post_attention_layernorm.weight"], eps))
    head = w["model.embed_tokens.weight"] if config.get("tie_word_embeddings", True) else w["lm_head.weight"]
    return linear(rms_norm(x, w["model.norm.weight"], eps), head), maps
