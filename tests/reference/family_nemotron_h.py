"""Nemotron-H, from Hugging Face's modeling_nemotron_h.py
(NemotronHMamba2Mixer, NemotronHAttention, NemotronHMLP, NemotronHBlock) and
NVIDIA's checkpoint layout (backbone.*): hybrid_override_pattern gives each
layer one block, 'M' Mamba-2, '*' attention, '-' MLP, each x + block(norm x)
with a single RMSNorm. Attention has no positional encoding (scale
head_dim^-0.5, GQA). Mamba-2: d_inner = mamba_num_heads * mamba_head_dim,
the gated norm (gate first) normalises each of the n_groups groups of
channels separately, eps layer_norm_epsilon; head h reads B/C group
h // (heads / groups). MLP blocks: down(relu(up x)^2). MLP layers mix no
tokens: they have no map."""
from blocks import Mamba2Options, attention_mixer, mamba2_mixer, mamba2_weights, relu2_mlp
from numerics import linear, rms_norm

FAMILY = "nemotron_h"


def mamba_options(c):
    heads, head_dim = c["mamba_num_heads"], c["mamba_head_dim"]
    limit = c.get("time_step_limit") or [0.0, float("inf")]
    return Mamba2Options(c["hidden_size"], heads * head_dim, heads, head_dim, c.get("n_groups", c.get("mamba_n_groups", 1)),
                         c["ssm_state_size"], c.get("conv_kernel", c.get("mamba_d_conv", 4)),
                         c.get("layer_norm_epsilon", 1e-5), norm="grouped", conv_bias=c.get("use_conv_bias", True),
                         proj_bias=c.get("use_bias", False), dt_limit=tuple(limit))


def attention_shape(c):
    H = c["num_attention_heads"]
    return H, c.get("num_key_value_heads", H), c.get("head_dim") or c.get("attention_head_dim") or c["hidden_size"] // H


def make_weights(c, w):
    d, vocab = c["hidden_size"], c["vocab_size"]
    w.embedding("backbone.embeddings.weight", (vocab, d))
    for i, kind in enumerate(c["hybrid_override_pattern"]):
        b = f"backbone.layers.{i}."
        w.norm(b + "norm.weight", (d,))
        if kind == "M":
            mamba2_weights(w, b + "mixer.", mamba_options(c))
        elif kind == "*":
            H, kv, hd = attention_shape(c)
            for name, rows, gain in (("q_proj", H * hd, 3.0), ("k_proj", kv * hd, 3.0), ("v_proj", kv * hd, 1.0)):
                w.dense(b + "mixer." + name + ".weight", (rows, d), gain)
            w.dense(b + "mixer.o_proj.weight", (d, H * hd))
        else:
            w.dense(b + "mixer.up_proj.weight", (c["intermediate_size"], d))
            w.dense(b + "mixer.down_proj.weight", (d, c["intermediate_size"]))
    w.norm("backbone.norm_f.weight", (d,))
    if not c.get("tie_word_embeddings", False):
        w.dense("lm_head.weight", (vocab, d))
    return w


def forward(c, w, ids, ablation):
    mode, heads_of = ablation
    eps = c.get("layer_norm_epsilon", 1e-5)
    x = w["backbone.embeddings.weight"][ids]
    maps = {}
    for i, kind in enumerate(c["hybrid_override_pattern"]):
        b = f"backbone.layers.{i}."
        h = rms_norm(x, w[b + "norm.weight"], eps)
        targets = heads_of.get(str(i), [])
        if kind == "M":
            maps[str(i)], out = mamba2_mixer(w, b + "mixer.", h, mamba_options(c), targets, mode)
        elif kind == "*":
            H, kv, hd = attention_shape(c)
            maps[str(i)], out = attention_mixer(w, b + "mixer.", h, H, kv, hd, targets, mode)
        else:
            out = relu2_mlp(w, b + "mixer.", h)
        x = x + out
    head = w["backbone.embeddings.weight"] if c.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return linear(rms_norm(x, w["backbone.norm_f.weight"], eps), head), maps
