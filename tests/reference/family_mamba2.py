"""Mamba-2, from Hugging Face's modeling_mamba2.py (Mamba2Mixer.torch_forward,
Mamba2RMSNorm, Mamba2Block) and mamba_ssm's Mamba2 (config dialect: d_model,
n_layer, ssm_cfg{layer: Mamba2, d_state, headdim, ngroups, ...}, tensor name
backbone.embedding). Mixer: in_proj -> (z | xBC | dt), causal conv + SiLU on
xBC, dt = softplus(dt + dt_bias) clamped to time_step_limit, SSD per head
with A = -exp(A_log) and head h reading B/C group h // (heads / groups),
D skip, gated RMSNorm (gate first unless norm_before_gate, one norm per
group as mamba_ssm's RMSNormGated with group_size = d_inner / ngroups),
out_proj. A head's map is its SSD matrix (ssm.py), y = M x + D x."""
import numpy as np

from attention import ablate, causal_attention, uniform_map
from numerics import linear, matmul, rms_norm, softplus
from ssm import causal_conv, check_ssd_by_recurrence, gated_rms_norm, heads_of_groups, ssd_matrix

FAMILY = "mamba2"


class Sizes:
    """Mixer sizes; `from_config` reads either dialect with its defaults."""

    def __init__(self, d, d_inner, heads, head_dim, groups, n, kernel, conv_bias=True, proj_bias=False,
                 eps=1e-5, norm_before_gate=False, dt_limit=(0.0, float("inf"))):
        self.d, self.d_inner, self.heads, self.head_dim = d, d_inner, heads, head_dim
        self.groups, self.n, self.kernel = groups, n, kernel
        self.conv_bias, self.proj_bias, self.eps = conv_bias, proj_bias, eps
        self.norm_before_gate, self.dt_limit = norm_before_gate, dt_limit

    @staticmethod
    def from_config(config):
        if "model_type" in config:
            d = config["hidden_size"]
            d_inner = config.get("expand", 2) * d
            head_dim = config.get("head_dim", 64)
            limit = config.get("time_step_limit", [0.0, float("inf")])
            return Sizes(d, d_inner, config.get("num_heads", d_inner // head_dim), head_dim, config.get("n_groups", 1),
                         config.get("state_size", 128), config.get("conv_kernel", 4), config.get("use_conv_bias", True),
                         config.get("use_bias", False), config.get("layer_norm_epsilon", 1e-5),
                         config.get("norm_before_gate", False), tuple(limit))
        cfg = config["ssm_cfg"]
        d = config["d_model"]
        d_inner = cfg.get("expand", 2) * d
        head_dim = cfg.get("headdim", 64)
        return Sizes(d, d_inner, d_inner // head_dim, head_dim, cfg.get("ngroups", 1), cfg.get("d_state", 128),
                     cfg.get("d_conv", 4), cfg.get("conv_bias", True), cfg.get("bias", False), 1e-5,
                     cfg.get("norm_before_gate", False), tuple(cfg.get("dt_limit", (0.0, float("inf")))))


def make_mixer_weights(w, m, s):
    gn = s.groups * s.n
    w.dense(m + "in_proj.weight", (2 * s.d_inner + 2 * gn + s.heads, s.d))
    if s.proj_bias:
        w.small(m + "in_proj.bias", (2 * s.d_inner + 2 * gn + s.heads,))
    w.conv(m + "conv1d.weight", (s.d_inner + 2 * gn, 1, s.kernel))
    if s.conv_bias:
        w.small(m + "conv1d.bias", (s.d_inner + 2 * gn,))
    w.dt_bias(m + "dt_bias", (s.heads,))
    w.a_log(m + "A_log", (s.heads,), 1.0, 8.0)
    w.uniform(m + "D", (s.heads,), 0.5, 1.5)
    w.norm(m + "norm.weight", (s.d_inner,))
    w.dense(m + "out_proj.weight", (s.d, s.d_inner))
    if s.proj_bias:
        w.small(m + "out_proj.bias", (s.d,))


def mixer(w, m, x, s, targets, mode, attention_heads=()):
    """One Mamba-2 mixer on normed x [L, d]: (map [heads, L, L], output [L, d]).
    attention_heads (attnscope_hybrid's ssm_attention_heads): heads whose
    output is exp(log_gain) * P x_h + D x_h with P the causal softmax of
    (x Wq^T)(x Wk^T)^T / sqrt(dk), from m + "attention_heads.<h>.*"; P is their map."""
    length, gn = len(x), s.groups * s.n
    proj = linear(x, w[m + "in_proj.weight"], w.get(m + "in_proj.bias"))
    z, xbc, dt = proj[:, :s.d_inner], proj[:, s.d_inner:2 * s.d_inner + 2 * gn], proj[:, 2 * s.d_inner + 2 * gn:]
    xbc = causal_conv(xbc, w[m + "conv1d.weight"], w.get(m + "conv1d.bias"))
    xbc = xbc / (1.0 + np.exp(-xbc))  # SiLU
    xs = np.transpose(xbc[:, :s.d_inner].reshape(length, s.heads, s.head_dim), (1, 0, 2))  # [H, L, P]
    B = heads_of_groups(xbc[:, s.d_inner:s.d_inner + gn].reshape(length, s.groups, s.n), s.heads)
    C = heads_of_groups(xbc[:, s.d_inner + gn:].reshape(length, s.groups, s.n), s.heads)
    dt = np.clip(softplus(dt + w[m + "dt_bias"]), s.dt_limit[0], s.dt_limit[1]).T  # [H, L]
    log_decay = dt * -np.exp(w[m + "A_log"])[:, None]
    M = ssd_matrix(B, C, log_decay, dt)
    check_ssd_by_recurrence(M, xs, B, C, log_decay, dt, m + " SSD matrix")
    mixed = matmul(M, xs)
    for h in attention_heads:
        a = m + f"attention_heads.{h}."
        q, k = linear(x, w[a + "q_proj.weight"]), linear(x, w[a + "k_proj.weight"])
        probs, context = causal_attention(q[None], k[None], xs[h][None], 1.0 / np.sqrt(q.shape[-1]))
        M[h], mixed[h] = probs[0], np.exp(w[a + "log_gain"][0]) * context[0]
    if mode == "uniform":
        for h in targets:
            M[h] = uniform_map(length)
            mixed[h] = matmul(M[h], xs[h])
    y = mixed + w[m + "D"][:, None, None] * xs
    y = np.transpose(y, (1, 0, 2)).reshape(length, s.d_inner)
    y = gated_rms_norm(y, z, w[m + "norm.weight"], s.groups, s.eps, s.norm_before_gate)
    heads = ablate(np.transpose(y.reshape(length, s.heads, s.head_dim), (1, 0, 2)), targets, mode)
    y = np.transpose(heads, (1, 0, 2)).reshape(length, s.d_inner)
    return M, linear(y, w[m + "out_proj.weight"], w.get(m + "out_proj.bias"))


def _dialect(config):
    """(layers, vocab rows, embedding name, tied, eps) of either dialect."""
    if "model_type" in config:
        return (config["num_hidden_layers"], config["vocab_size"], "backbone.embeddings.weight",
                config.get("tie_word_embeddings", False), config.get("layer_norm_epsilon", 1e-5))
    vocab, multiple = config["vocab_size"], config.get("pad_vocab_size_multiple", 1)
    return (config["n_layer"], vocab + (-vocab % multiple), "backbone.embedding.weight",
            config.get("tie_embeddings", True), 1e-5)  # mamba_ssm's MixerModel default; its config has no eps


def make_weights(config, w):
    layers, vocab, embedding, tied, _ = _dialect(config)
    s = Sizes.from_config(config)
    w.embedding(embedding, (vocab, s.d))
    for l in range(layers):
        w.norm(f"backbone.layers.{l}.norm.weight", (s.d,))
        make_mixer_weights(w, f"backbone.layers.{l}.mixer.", s)
    w.norm("backbone.norm_f.weight", (s.d,))
    if not tied:
        w.dense("lm_head.weight", (vocab, s.d))
    return w


def forward(config, w, ids, ablation):
    mode, heads_of = ablation
    layers, _, embedding, tied, eps = _dialect(config)
    s = Sizes.from_config(config)
    x = w[embedding][ids]
    maps = {}
    for l in range(layers):
        b = f"backbone.layers.{l}."
        maps[str(l)], out = mixer(w, b + "mixer.", rms_norm(x, w[b + "norm.weight"], eps), s, heads_of.get(str(l), []), mode)
        x = x + out
    head = w[embedding] if tied else w["lm_head.weight"]
    return linear(rms_norm(x, w["backbone.norm_f.weight"], eps), head), maps
