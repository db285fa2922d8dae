"""Causal attention over per-head queries, keys and values, with the rotary
embeddings the Transformer families use. Every map is checked against a
direct per-row loop as it is computed."""
import math

import numpy as np

from numerics import assert_close, causal_mask, dot, dsum, matmul, softmax


def rope_inv_freq(rotary_dim, theta, scaling=None):
    """Hugging Face's inverse frequencies 1 / theta^(2i / dim), with rope_scaling
    "linear" (divided by factor) or "llama3" (modeling_rope_utils._compute_llama3_parameters)."""
    inv_freq = np.array([1.0 / theta ** (2.0 * i / rotary_dim) for i in range(rotary_dim // 2)])
    kind = (scaling or {}).get("rope_type", (scaling or {}).get("type", "default"))
    if kind == "default":
        return inv_freq
    factor = scaling["factor"]
    if kind == "linear":
        return inv_freq / factor
    if kind == "llama3":
        low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / low, old / high
        out = []
        for f in inv_freq:
            wavelen = 2 * math.pi / f
            if wavelen < high_wavelen:
                out.append(f)
            elif wavelen > low_wavelen:
                out.append(f / factor)
            else:
                smooth = (old / wavelen - low) / (high - low)
                out.append((1 - smooth) * f / factor + smooth * f)
        return np.array(out)
    raise ValueError(f"rope_scaling {kind!r} is not in the reference")


def apply_rope(x, inv_freq):
    """Rotate-half RoPE on the first 2 * len(inv_freq) channels of x [..., L, d]; the rest pass."""
    rotary_dim = 2 * len(inv_freq)
    if rotary_dim == 0:
        return x
    length = x.shape[-2]
    angles = np.arange(length, dtype=np.float64)[:, None] * inv_freq[None, :]
    cos = np.concatenate([np.cos(angles)] * 2, -1)
    sin = np.concatenate([np.sin(angles)] * 2, -1)
    rot, rest = x[..., :rotary_dim], x[..., rotary_dim:]
    half = rotary_dim // 2
    rotated = np.concatenate([-rot[..., half:], rot[..., :half]], -1)
    return np.concatenate([rot * cos + rotated * sin, rest], -1)


def expand_kv(t, heads):
    """[Hkv, L, d] -> [heads, L, d]: query head h reads kv head h // (heads / Hkv)."""
    return np.repeat(t, heads // t.shape[0], axis=0)


def scores_to_map(scores, form="softmax"):
    """Causal map from raw scores [H, L, L] (already scaled)."""
    future = causal_mask(scores.shape[-1])
    if form == "softmax":
        return softmax(np.where(future, -np.inf, scores))
    if form == "taylor":
        # 1 + s + s^2/2 is positive for every s; rows normalised.
        a = np.where(future, 0.0, 1.0 + scores + 0.5 * scores * scores)
        return a / dsum(a, -1, keepdims=True)
    raise ValueError(form)


def causal_attention(q, k, v, scale, form="softmax"):
    """q [H, L, d], k and v [Hkv, L, d]. Returns (map [H, L, L], context [H, L, d])."""
    heads = q.shape[0]
    k, v = expand_kv(k, heads), expand_kv(v, heads)
    probs = scores_to_map(matmul(q, np.swapaxes(k, -1, -2)) * scale, form)
    context = matmul(probs, v)
    if form == "softmax":
        _check_softmax_by_loop(q, k, v, scale, probs, context)
    return probs, context


def key_only_softmax(q, k, v, scale):
    """The non-approximate relaxed mixer: one score per key s_j = q_j . k_j * scale,
    M[i, j] = softmax over j <= i of s_j (the query does not enter)."""
    heads, length = q.shape[0], q.shape[1]
    k, v = expand_kv(k, heads), expand_kv(v, heads)
    s = dot(q, k) * scale  # [H, L]
    probs = softmax(np.where(causal_mask(length), -np.inf, np.broadcast_to(s[:, None, :], (heads, length, length))))
    return probs, matmul(probs, v)


def _check_softmax_by_loop(q, k, v, scale, probs, context):
    heads, length, _ = q.shape
    for h in range(heads):
        for i in range(length):
            scores = [sum(float(a) * float(b) for a, b in zip(q[h, i], k[h, j])) * scale for j in range(i + 1)]
            top = max(scores)
            weights = [math.exp(s - top) for s in scores]
            total = sum(weights)
            row = [w / total for w in weights] + [0.0] * (length - i - 1)
            assert_close(probs[h, i], row, f"attention map head {h} row {i}")
            ctx = [sum(row[j] * float(v[h, j, c]) for j in range(i + 1)) for c in range(v.shape[-1])]
            assert_close(context[h, i], ctx, f"attention context head {h} row {i}")


def split_heads(x, heads):
    """[L, heads * d] -> [heads, L, d] (head-major channels)."""
    length = x.shape[0]
    return np.transpose(x.reshape(length, heads, -1), (1, 0, 2))


def merge_heads(y):
    """[H, L, d] -> [L, H * d]."""
    return np.transpose(y, (1, 0, 2)).reshape(y.shape[1], -1)


def ablate(y, heads, mode):
    """Head ablation on per-head outputs y [H, L, d] (the output projection's input).
    zero: the head's slice is 0; mean: its mean over positions."""
    y = y.copy()
    for h in heads:
        if mode == "zero":
            y[h] = 0.0
        elif mode == "mean":
            y[h] = np.broadcast_to(dsum(y[h], 0, keepdims=True) / y.shape[1], y[h].shape)
    return y


def uniform_map(length):
    """M[i, j] = 1 / (i + 1) for j <= i: the uniform ablation's map."""
    return np.where(causal_mask(length), 0.0, 1.0 / np.arange(1, length + 1, dtype=np.float64)[:, None])


def attend(q, k, v, scale, targets=(), mode="zero", form="softmax"):
    """One attention mixer with head ablation applied: (map [H, L, L], per-head
    output [H, L, d] as the output projection reads it). Uniform ablation
    replaces a head's map by uniform causal averaging; zero and mean act on
    the head's output."""
    if form == "key_only":
        probs, ctx = key_only_softmax(q, k, v, scale)
    else:
        probs, ctx = causal_attention(q, k, v, scale, form)
    if mode == "uniform":
        v_full = expand_kv(v, q.shape[0])
        for h in targets:
            probs[h] = uniform_map(q.shape[1])
            ctx[h] = matmul(probs[h], v_full[h])
    return probs, ablate(ctx, targets, mode)
