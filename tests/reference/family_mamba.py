"""Mamba-1, from Hugging Face's modeling_mamba.py (MambaMixer.slow_forward,
MambaRMSNorm, MambaBlock) and mamba_ssm's Mamba (its own config dialect:
d_model, n_layer, ssm_cfg, pad_vocab_size_multiple, tie_embeddings, and the
tensor name backbone.embedding). Mixer: in_proj -> (x | z), causal depthwise
conv + SiLU on x, x_proj -> (dt of rank R, B, C), dt_proj + softplus,
selective scan with A = -exp(A_log), D skip, SiLU(z) gate, out_proj; blocks
are x + mixer(rms_norm(x)). Each channel of d_inner is a head; its map is
the implied kernel M_c (ssm.py)."""
import math

import numpy as np

from attention import ablate, uniform_map
from numerics import linear, matmul, rms_norm, silu, softplus
from ssm import causal_conv, check_mamba1_by_recurrence, mamba1_kernels

FAMILY = "mamba"


def sizes(config):
    """(d_model, layers, vocab rows, d_inner, d_state, dt_rank, conv kernel) in either dialect."""
    cfg = config.get("ssm_cfg", {})
    if "model_type" in config:
        d = config["hidden_size"]
        d_inner = config.get("intermediate_size", config.get("expand", 2) * d)
        rank = config.get("time_step_rank", "auto")
        return (d, config["num_hidden_layers"], config["vocab_size"], d_inner, config.get("state_size", 16),
                math.ceil(d / 16) if rank == "auto" else rank, config.get("conv_kernel", 4))
    d = config["d_model"]
    vocab, multiple = config["vocab_size"], config.get("pad_vocab_size_multiple", 1)
    vocab += -vocab % multiple
    rank = cfg.get("dt_rank", "auto")
    return (d, config["n_layer"], vocab, cfg.get("expand", 2) * d, cfg.get("d_state", 16),
            math.ceil(d / 16) if rank == "auto" else rank, cfg.get("d_conv", 4))


def embedding_name(config):
    return "backbone.embeddings.weight" if "model_type" in config else "backbone.embedding.weight"


def tied(config):
    return config.get("tie_word_embeddings", config.get("tie_embeddings", True))


def make_mixer_weights(w, m, d, d_inner, n, rank, kernel, conv_bias=True, proj_bias=False):
    w.dense(m + "in_proj.weight", (2 * d_inner, d))
    if proj_bias:
        w.small(m + "in_proj.bias", (2 * d_inner,))
    w.conv(m + "conv1d.weight", (d_inner, 1, kernel))
    if conv_bias:
        w.small(m + "conv1d.bias", (d_inner,))
    w.dense(m + "x_proj.weight", (rank + 2 * n, d_inner), 2.0)
    w.dense(m + "dt_proj.weight", (d_inner, rank), 0.5)
    w.dt_bias(m + "dt_proj.bias", (d_inner,))
    w.a_log(m + "A_log", (d_inner, n), 0.5, 4.0)
    w.uniform(m + "D", (d_inner,), 0.5, 1.5)
    w.dense(m + "out_proj.weight", (d, d_inner))
    if proj_bias:
        w.small(m + "out_proj.bias", (d,))


def mixer(w, m, x, d_inner, n, rank, targets, mode, dt_bc_norm=None):
    """One Mamba-1 mixer on normed x [L, d]: (map [d_inner, L, L], output [L, d]).
    dt_bc_norm, when given, maps (dt, B, C) after x_proj to their normed values
    (Falcon-Mamba and Jamba put RMS norms there)."""
    xz = linear(x, w[m + "in_proj.weight"], w.get(m + "in_proj.bias"))
    u, z = xz[:, :d_inner], xz[:, d_inner:]
    u = silu(causal_conv(u, w[m + "conv1d.weight"], w.get(m + "conv1d.bias")))
    dbc = linear(u, w[m + "x_proj.weight"])
    dt, B, C = dbc[:, :rank], dbc[:, rank:rank + n], dbc[:, rank + n:]
    if dt_bc_norm is not None:
        dt, B, C = dt_bc_norm(dt, B, C)
    dt = softplus(linear(dt, w[m + "dt_proj.weight"], w[m + "dt_proj.bias"]))
    A = -np.exp(w[m + "A_log"])
    M = mamba1_kernels(B, C, dt, A)
    check_mamba1_by_recurrence(M, u, B, C, dt, A, m + " kernel")
    if mode == "uniform":
        for c in targets:
            M[c] = uniform_map(len(u))
    y = np.stack([matmul(M[c], u[:, c:c + 1])[:, 0] for c in range(d_inner)], -1)
    y = (y + u * w[m + "D"]) * silu(z)
    y = ablate(y.T[:, :, None], targets, mode)[:, :, 0].T  # channels are the heads
    return M, linear(y, w[m + "out_proj.weight"], w.get(m + "out_proj.bias"))


def make_weights(config, w):
    d, layers, vocab, d_inner, n, rank, kernel = sizes(config)
    cfg = config.get("ssm_cfg", {})
    w.embedding(embedding_name(config), (vocab, d))
    for l in range(layers):
        b = f"backbone.layers.{l}."
        w.norm(b + "norm.weight", (d,))
        make_mixer_weights(w, b + "mixer.", d, d_inner, n, rank, kernel,
                           config.get("use_conv_bias", cfg.get("conv_bias", True)),
                           config.get("use_bias", cfg.get("bias", False)))
    w.norm("backbone.norm_f.weight", (d,))
    if not tied(config):
        w.dense("lm_head.weight", (vocab, d))
    return w


def forward(config, w, ids, ablation):
    mode, heads_of = ablation
    d, layers, vocab, d_inner, n, rank, kernel = sizes(config)
    eps = config.get("layer_norm_epsilon", 1e-5)  # mamba_ssm's dialect has no eps key: 1e-5
    x = w[embedding_name(config)][ids]
    maps = {}
    for l in range(layers):
        b = f"backbone.layers.{l}."
        maps[str(l)], out = mixer(w, b + "mixer.", rms_norm(x, w[b + "norm.weight"], eps), d_inner, n, rank,
                                  heads_of.get(str(l), []), mode)
        x = x + out
    head = w[embedding_name(config)] if tied(config) else w["lm_head.weight"]
    return linear(rms_norm(x, w["backbone.norm_f.weight"], eps), head), maps
