"""Blocks the newer families assemble (as their own modeling files do): a
general attention mixer, gated MLPs, mixture-of-experts, relu^2 MLP, the
Mamba-2 mixer with the options each hybrid sets, and Llamba's discrete
Mamba-2. Every mixer returns (map, output) with head ablation applied to
its output projection's input."""
import numpy as np

from attention import ablate, apply_rope, attend, merge_heads, split_heads, uniform_map
from numerics import activation, dsum, linear, matmul, rms_norm, silu, softmax, softplus
from ssm import causal_conv, check_ssd_by_recurrence, gated_rms_norm, heads_of_groups, ssd_matrix


def lin(w, name, x):
    return linear(x, w[name + ".weight"], w.get(name + ".bias"))


def attention_mixer(w, p, h, heads, kv_heads, head_dim, targets, mode, inv_freq=None, scale=None, qk_norm_eps=None,
                    key_multiplier=1.0, qk_input=None, adapters=None):
    """Llama-layout attention on normed h [L, d]: q/k/v/o projections under prefix p, optional per-head
    q_norm/k_norm (Qwen3) before RoPE, key multiplier (Falcon-H1), LoRA adapters on q/k/v (Zamba2:
    adapters[name] = (down, up) weight arrays). Returns (map, o_proj output)."""
    qk = h if qk_input is None else qk_input

    def project(name, x):
        y = lin(w, p + name, x)
        if adapters and name in adapters:
            down, up = adapters[name]
            y = y + linear(linear(x, down), up)
        return y

    q = split_heads(project("q_proj", qk), heads)
    k = split_heads(project("k_proj", qk), kv_heads) * key_multiplier
    v = split_heads(project("v_proj", h), kv_heads)
    if qk_norm_eps is not None:
        q = rms_norm(q, w[p + "q_norm.weight"], qk_norm_eps)
        k = rms_norm(k, w[p + "k_norm.weight"], qk_norm_eps)
    if inv_freq is not None:
        q, k = apply_rope(q, inv_freq), apply_rope(k, inv_freq)
    probs, ctx = attend(q, k, v, head_dim ** -0.5 if scale is None else scale, targets, mode)
    return probs, lin(w, p + "o_proj", merge_heads(ctx))


def gated_mlp(w, p, x, act="silu", gate_multiplier=1.0, names=("gate_proj", "up_proj", "down_proj")):
    """down(act(gate(x) * m) * up(x)) (SwiGLU for silu)."""
    gate, up, down = names
    return lin(w, p + down, activation(act)(lin(w, p + gate, x) * gate_multiplier) * lin(w, p + up, x))


def relu2_mlp(w, p, x):
    """Nemotron-H's MLP block: down(relu(up(x))^2)."""
    return lin(w, p + "down_proj", np.maximum(lin(w, p + "up_proj", x), 0.0) ** 2)


def require_clear_choice(kth, next_value, where):
    """A float32 engine must pick the same experts: the k-th and (k+1)-th router values may not be near a tie."""
    assert abs(kth - next_value) > 3e-3 * max(abs(kth), 1e-30), f"{where}: router near a tie ({kth} vs {next_value})"


def moe(w, p, x, experts, top_k, act="silu"):
    """Jamba's sparse MoE: softmax over all experts, the top_k kept with their probabilities as they are."""
    probs = softmax(lin(w, p + "router", x))
    out = np.zeros_like(x)
    for t in range(len(x)):
        ranked = sorted(range(experts), key=lambda e: (-probs[t, e], e))
        require_clear_choice(probs[t, ranked[top_k - 1]], probs[t, ranked[top_k]], p)
        order = ranked[:top_k]
        for e in order:
            out[t] = out[t] + probs[t, e] * gated_mlp(w, f"{p}experts.{e}.", x[t:t + 1], act)[0]
    return out


class Mamba2Options:
    """How a family's Mamba-2 mixer differs from mamba2's own (defaults: the mamba2 family)."""

    def __init__(self, d, d_inner, heads, head_dim, groups, n, kernel, eps, norm="grouped", norm_before_gate=False,
                 conv_bias=True, proj_bias=False, in_multiplier=1.0, mup=None, dt_limit=(0.0, float("inf"))):
        self.d, self.d_inner, self.heads, self.head_dim = d, d_inner, heads, head_dim
        self.groups, self.n, self.kernel, self.eps = groups, n, kernel, eps
        self.norm, self.norm_before_gate = norm, norm_before_gate  # norm: grouped | full | none
        self.conv_bias, self.proj_bias = conv_bias, proj_bias
        self.in_multiplier, self.mup, self.dt_limit = in_multiplier, mup, dt_limit


def mamba2_mixer(w, m, x, o, targets, mode):
    """A Mamba-2 mixer on normed x [L, d] under prefix m: (map [heads, L, L], out_proj output).
    in_proj rows are [z | x | B | C | dt]; Falcon-H1 scales the input and each block (mup)."""
    length, gn = len(x), o.groups * o.n
    proj = linear(x * o.in_multiplier, w[m + "in_proj.weight"], w.get(m + "in_proj.bias"))
    if o.mup is not None:
        sizes = [o.d_inner, o.d_inner, gn, gn, o.heads]
        proj = proj * np.concatenate([np.full(s, f) for s, f in zip(sizes, o.mup)])
    z, xbc, dt = proj[:, :o.d_inner], proj[:, o.d_inner:2 * o.d_inner + 2 * gn], proj[:, 2 * o.d_inner + 2 * gn:]
    xbc = silu(causal_conv(xbc, w[m + "conv1d.weight"], w.get(m + "conv1d.bias")))
    xs = np.transpose(xbc[:, :o.d_inner].reshape(length, o.heads, o.head_dim), (1, 0, 2))
    B = heads_of_groups(xbc[:, o.d_inner:o.d_inner + gn].reshape(length, o.groups, o.n), o.heads)
    C = heads_of_groups(xbc[:, o.d_inner + gn:].reshape(length, o.groups, o.n), o.heads)
    dt = np.clip(softplus(dt + w[m + "dt_bias"]), o.dt_limit[0], o.dt_limit[1]).T
    log_decay = dt * -np.exp(w[m + "A_log"])[:, None]
    M = ssd_matrix(B, C, log_decay, dt)
    check_ssd_by_recurrence(M, xs, B, C, log_decay, dt, m + " SSD matrix")
    if mode == "uniform":
        for h in targets:
            M[h] = uniform_map(length)
    y = matmul(M, xs) + w[m + "D"][:, None, None] * xs
    y = np.transpose(y, (1, 0, 2)).reshape(length, o.d_inner)
    if o.norm == "none":
        y = y * silu(z)
    else:
        groups = o.groups if o.norm == "grouped" else 1
        y = gated_rms_norm(y, z, w[m + "norm.weight"], groups, o.eps, o.norm_before_gate)
    heads = ablate(np.transpose(y.reshape(length, o.heads, o.head_dim), (1, 0, 2)), targets, mode)
    y = np.transpose(heads, (1, 0, 2)).reshape(length, o.d_inner)
    return M, linear(y, w[m + "out_proj.weight"], w.get(m + "out_proj.bias"))


def mamba2_weights(w, m, o, norm_weight=True):
    gn = o.groups * o.n
    rows = 2 * o.d_inner + 2 * gn + o.heads
    w.dense(m + "in_proj.weight", (rows, o.d))
    if o.proj_bias:
        w.small(m + "in_proj.bias", (rows,))
    w.conv(m + "conv1d.weight", (o.d_inner + 2 * gn, 1, o.kernel))
    if o.conv_bias:
        w.small(m + "conv1d.bias", (o.d_inner + 2 * gn,))
    w.dt_bias(m + "dt_bias", (o.heads,))
    w.a_log(m + "A_log", (o.heads,), 1.0, 8.0)
    w.uniform(m + "D", (o.heads,), 0.5, 1.5)
    if norm_weight:
        w.norm(m + "norm.weight", (o.d_inner,))
    w.dense(m + "out_proj.weight", (o.d, o.d_inner))
    if o.proj_bias:
        w.small(m + "out_proj.bias", (o.d,))


def discrete_mamba2_mixer(w, m, x, d_inner, v_heads, qk_heads, n, activation_name, targets, mode):
    """Llamba's DiscreteMamba2 on normed x: in_proj -> [x B C | z | a], conv (+ identity or SiLU),
    state s_t = exp(-softplus(a_t)) s + x_t B_t^T with no dt factor, y = C s + D x,
    out_proj(y * silu(z + z_bias)). Map M[h, i, j] = (C_i . B_j) exp(-sum_{k=j+1..i} softplus(a_k))."""
    length, head_dim = len(x), d_inner // v_heads
    proj = linear(x, w[m + "in_proj.weight"], w.get(m + "in_proj.bias"))
    conv_width = d_inner + 2 * qk_heads * n
    xbc, z, a = proj[:, :conv_width], proj[:, conv_width:conv_width + d_inner], proj[:, conv_width + d_inner:]
    xbc = causal_conv(xbc, w[m + "conv1d.weight"], w.get(m + "conv1d.bias"))
    if activation_name in ("silu", "swish"):
        xbc = silu(xbc)
    xs = np.transpose(xbc[:, :d_inner].reshape(length, v_heads, head_dim), (1, 0, 2))
    B = heads_of_groups(xbc[:, d_inner:d_inner + qk_heads * n].reshape(length, qk_heads, n), v_heads)
    C = heads_of_groups(xbc[:, d_inner + qk_heads * n:].reshape(length, qk_heads, n), v_heads)
    log_decay = -softplus(a).T  # [H, L]
    M = ssd_matrix(B, C, log_decay, np.ones_like(log_decay))
    check_ssd_by_recurrence(M, xs, B, C, log_decay, np.ones_like(log_decay), m + " discrete SSD matrix")
    if mode == "uniform":
        for h in targets:
            M[h] = uniform_map(length)
    y = matmul(M, xs) + w[m + "D"][:, None, None] * xs
    y = np.transpose(y, (1, 0, 2)).reshape(length, d_inner)
    y = y * silu(z + w.get(m + "z_bias", 0.0))
    heads = ablate(np.transpose(y.reshape(length, v_heads, head_dim), (1, 0, 2)), targets, mode)
    y = np.transpose(heads, (1, 0, 2)).reshape(length, d_inner)
    return M, linear(y, w[m + "out_proj.weight"], w.get(m + "out_proj.bias"))
