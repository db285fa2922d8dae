"""State-space mixers written as the matrix M each applies over positions,
each checked against the step-by-step state recurrence as it is computed.

Mamba-2 (SSD), per head h with state s [P, N]:
    s_t = exp(dt_t A_h) s_{t-1} + dt_t x_t B_t^T,   y_t = s_t C_t (+ D_h x_t)
    M[h, i, j] = (C_i . B_j) exp(sum_{k=j+1..i} dt_k A_h) dt_j
Mamba-1, per channel c with state s [N]:
    s_t = exp(dt_t[c] A[c]) * s_{t-1} + dt_t[c] B_t u_t[c],   y_t = C_t . s_t (+ D[c] u_t[c])
    M[c, i, j] = sum_n C_i[n] exp(sum_{k=j+1..i} dt_k[c] A[c, n]) dt_j[c] B_j[n]
"""
import numpy as np

from numerics import assert_close, causal_mask, dot, matmul, mean, silu


def causal_conv(x, weight, bias):
    """Depthwise causal conv1d: x [L, C], weight [C, 1, K] (torch layout), bias [C] or None.
    out[t, c] = sum_k weight[c, 0, k] x[t - (K - 1) + k, c]."""
    length, _ = x.shape
    kernel = weight.shape[-1]
    out = np.zeros_like(x) if bias is None else np.broadcast_to(bias, x.shape).copy()
    for k in range(kernel):
        lag = kernel - 1 - k
        if lag >= length:
            continue
        shifted = np.zeros_like(x)
        shifted[lag:] = x[:length - lag]
        out = out + shifted * weight[:, 0, k]
    return out


def _segment_sums(a):
    """a [..., L] per-step log decays -> S[..., i, j] = sum_{k=j+1..i} a_k (-inf above the diagonal)."""
    cum = np.cumsum(a, axis=-1)
    seg = cum[..., :, None] - cum[..., None, :]
    return np.where(causal_mask(a.shape[-1]), -np.inf, seg)


def ssd_matrix(B, C, log_decay, weight):
    """Per head h: M[h, i, j] = (C_i . B_j) exp(sum_{k=j+1..i} log_decay_k) weight_j.
    B, C [H, L, N] (already per head); log_decay, weight [H, L]."""
    return matmul(C, np.swapaxes(B, -1, -2)) * np.exp(_segment_sums(log_decay)) * weight[:, None, :]


def check_ssd_by_recurrence(M, x, B, C, log_decay, weight, what):
    """x [H, L, P]: M x must equal the recurrence s_t = exp(a_t) s + w_t x_t B_t^T, y_t = s_t C_t."""
    heads, length, p = x.shape
    n = B.shape[-1]
    y = np.zeros_like(x)
    for h in range(heads):
        s = np.zeros((p, n))
        for t in range(length):
            s = np.exp(log_decay[h, t]) * s + weight[h, t] * np.outer(x[h, t], B[h, t])
            y[h, t] = dot(s, C[h, t])
    assert_close(matmul(M, x), y, what)


def mamba1_kernels(B, C, dt, A):
    """B, C [L, N]; dt [L, D]; A [D, N] -> M [D, L, L]."""
    length, n = B.shape
    channels = dt.shape[1]
    M = np.zeros((channels, length, length))
    for state in range(n):
        log_decay = dt.T * A[:, state:state + 1]  # [D, L]
        cb = np.outer(C[:, state], B[:, state])  # [L, L]
        M = M + cb[None] * np.exp(_segment_sums(log_decay)) * dt.T[:, None, :]
    return M


def check_mamba1_by_recurrence(M, u, B, C, dt, A, what):
    """u [L, D]: per channel, M u must equal the selective-scan recurrence."""
    length, channels = u.shape
    y = np.zeros_like(u)
    s = np.zeros((channels, B.shape[1]))
    for t in range(length):
        s = np.exp(dt[t][:, None] * A) * s + (dt[t] * u[t])[:, None] * B[t][None, :]
        y[t] = dot(s, C[t][None, :])
    got = np.stack([matmul(M[c], u[:, c:c + 1])[:, 0] for c in range(channels)], -1)
    assert_close(got, y, what)


def heads_of_groups(t, heads):
    """[L, G, N] -> [H, L, N]: head h reads group h // (H / G) (mamba_ssm's ngroups rule)."""
    return np.repeat(np.transpose(t, (1, 0, 2)), heads // t.shape[1], axis=0)


def gated_rms_norm(y, z, weight, groups, eps, norm_before_gate):
    """Mamba-2's RMSNormGated: gate y by silu(z) before (or after) an RMS norm
    taken separately over each of `groups` equal slices of the channels."""
    if not norm_before_gate:
        y = y * silu(z)
    length, width = y.shape
    g = y.reshape(length, groups, width // groups)
    g = g / np.sqrt(mean(g * g, -1, keepdims=True) + eps)
    y = g.reshape(length, width) * weight
    if norm_before_gate:
        y = y * silu(z)
    return y
