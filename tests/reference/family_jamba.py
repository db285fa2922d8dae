"""Jamba, from Hugging Face's modeling_jamba.py (JambaAttention,
JambaMambaMixer.slow_forward, JambaSparseMoeBlock, JambaAttentionDecoderLayer,
JambaMambaDecoderLayer) and configuration_jamba.py: layer i is attention
when i % attn_layer_period == attn_layer_offset, else Mamba-1; its FFN is a
sparse MoE when num_experts > 1 and i % expert_layer_period ==
expert_layer_offset, else a SwiGLU MLP. Both kinds are x + mixer(RMSNorm x)
then x + ffn(RMSNorm x). Attention has no positional encoding (GQA, scale
head_dim^-0.5). The Mamba-1 mixer puts weighted RMSNorms (eps rms_norm_eps)
on dt, B and C after x_proj. The router keeps the top-k softmax
probabilities as they are (no renormalisation)."""
import math

import family_mamba as mamba
from blocks import attention_mixer, gated_mlp, moe
from numerics import linear, rms_norm

FAMILY = "jamba"


def layer_kinds(c):
    return ["attention" if i % c.get("attn_layer_period", 8) == c.get("attn_layer_offset", 4) else "mamba"
            for i in range(c["num_hidden_layers"])]


def is_moe(c, i):
    return c.get("num_experts", 16) > 1 and i % c.get("expert_layer_period", 2) == c.get("expert_layer_offset", 1)


def mamba_sizes(c):
    d = c["hidden_size"]
    rank = c.get("mamba_dt_rank", "auto")
    return d, c.get("mamba_expand", 2) * d, c.get("mamba_d_state", 16), math.ceil(d / 16) if rank == "auto" else rank, \
        c.get("mamba_d_conv", 4)


def make_weights(c, w):
    d, vocab = c["hidden_size"], c["vocab_size"]
    H, kv = c["num_attention_heads"], c.get("num_key_value_heads", c["num_attention_heads"])
    hd, inner = d // H, c["intermediate_size"]
    w.embedding("model.embed_tokens.weight", (vocab, d))
    for i, kind in enumerate(layer_kinds(c)):
        b = f"model.layers.{i}."
        w.norm(b + "input_layernorm.weight", (d,))
        w.norm(b + "pre_ff_layernorm.weight", (d,))
        if kind == "attention":
            for name, rows, gain in (("q_proj", H * hd, 3.0), ("k_proj", kv * hd, 3.0), ("v_proj", kv * hd, 1.0)):
                w.dense(b + "self_attn." + name + ".weight", (rows, d), gain)
            w.dense(b + "self_attn.o_proj.weight", (d, H * hd))
        else:
            _, d_inner, n, rank, kernel = mamba_sizes(c)
            mamba.make_mixer_weights(w, b + "mamba.", d, d_inner, n, rank, kernel, c.get("mamba_conv_bias", True),
                                     c.get("mamba_proj_bias", False))
            w.norm(b + "mamba.dt_layernorm.weight", (rank,))
            w.norm(b + "mamba.b_layernorm.weight", (n,))
            w.norm(b + "mamba.c_layernorm.weight", (n,))
        experts = [f"{b}feed_forward.experts.{e}." for e in range(c.get("num_experts", 16))] if is_moe(c, i) \
            else [b + "feed_forward."]
        if is_moe(c, i):
            w.dense(b + "feed_forward.router.weight", (c["num_experts"], d), 3.0)
        for e in experts:
            w.dense(e + "gate_proj.weight", (inner, d))
            w.dense(e + "up_proj.weight", (inner, d))
            w.dense(e + "down_proj.weight", (d, inner))
    w.norm("model.final_layernorm.weight", (d,))
    if not c.get("tie_word_embeddings", False):
        w.dense("lm_head.weight", (vocab, d))
    return w


def forward(c, w, ids, ablation):
    mode, heads_of = ablation
    eps = c.get("rms_norm_eps", 1e-6)
    d = c["hidden_size"]
    H, kv = c["num_attention_heads"], c.get("num_key_value_heads", c["num_attention_heads"])
    x = w["model.embed_tokens.weight"][ids]
    maps = {}
    for i, kind in enumerate(layer_kinds(c)):
        b = f"model.layers.{i}."
        h = rms_norm(x, w[b + "input_layernorm.weight"], eps)
        targets = heads_of.get(str(i), [])
        if kind == "attention":
            maps[str(i)], out = attention_mixer(w, b + "self_attn.", h, H, kv, d // H, targets, mode)
        else:
            _, d_inner, n, rank, _ = mamba_sizes(c)
            m = b + "mamba."
            norms = lambda dt, B, C: (rms_norm(dt, w[m + "dt_layernorm.weight"], eps),
                                      rms_norm(B, w[m + "b_layernorm.weight"], eps),
                                      rms_norm(C, w[m + "c_layernorm.weight"], eps))
            maps[str(i)], out = mamba.mixer(w, m, h, d_inner, n, rank, targets, mode, norms)
        x = x + out
        f = rms_norm(x, w[b + "pre_ff_layernorm.weight"], eps)
        act = c.get("hidden_act", "silu")
        x = x + (moe(w, b + "feed_forward.", f, c["num_experts"], c.get("num_experts_per_tok", 2), act) if is_moe(c, i)
                 else gated_mlp(w, b + "feed_forward.", f, act))
    head = w["model.embed_tokens.weight"] if c.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return linear(rms_norm(x, w["model.final_layernorm.weight"], eps), head), maps
