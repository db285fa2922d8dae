"""Float64 building blocks whose results do not depend on the machine.

Every reduction here runs in a fixed order written out in Python (no BLAS,
no SIMD-dispatched numpy sums), so the generator writes the same bytes on any
x86-64 or ARM machine with the same numpy: products and sums are IEEE-exact
per element, and only the order of additions could differ, which these loops
fix. Sizes are tiny, so the loops cost nothing that matters.
"""
import math

import numpy as np


def dsum(x, axis=-1, keepdims=False):
    """Sum along one axis, adding the slices in index order."""
    x = np.moveaxis(np.asarray(x, dtype=np.float64), axis, 0)
    acc = x[0].copy()
    for i in range(1, x.shape[0]):
        acc = acc + x[i]
    if keepdims:
        acc = np.expand_dims(acc, axis)
    return acc


def matmul(a, b):
    """a [..., M, K] @ b [..., K, N] (batch dims broadcast), summed over k in order."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    acc = a[..., :, 0:1] * b[..., 0:1, :]
    for k in range(1, a.shape[-1]):
        acc = acc + a[..., :, k:k + 1] * b[..., k:k + 1, :]
    return acc


def linear(x, weight, bias=None):
    """torch.nn.Linear: x [..., in] @ weight[out, in]^T + bias."""
    y = matmul(x, np.swapaxes(weight, -1, -2))
    return y if bias is None else y + bias


def dot(a, b):
    """Sum over the last axis of a * b, in order."""
    return dsum(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64), -1)


def mean(x, axis=-1, keepdims=False):
    x = np.asarray(x, dtype=np.float64)
    return dsum(x, axis, keepdims) / x.shape[axis]


def softmax(x, axis=-1):
    """Max-shifted softmax; -inf entries get weight 0."""
    x = np.asarray(x, dtype=np.float64)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / dsum(e, axis, keepdims=True)


def layer_norm(x, weight, bias, eps):
    """torch.nn.LayerNorm over the last axis (biased variance)."""
    mu = mean(x, -1, keepdims=True)
    var = mean((x - mu) ** 2, -1, keepdims=True)
    y = (x - mu) / np.sqrt(var + eps) * weight
    return y if bias is None else y + bias


def rms_norm(x, weight, eps):
    """Llama's RMSNorm: x / sqrt(mean(x^2) + eps) * weight (weight None: no scale)."""
    y = x / np.sqrt(mean(np.asarray(x, dtype=np.float64) ** 2, -1, keepdims=True) + eps)
    return y if weight is None else y * weight


def silu(x):
    return x / (1.0 + np.exp(-x))


def softplus(x):
    """log(1 + e^x), as torch computes it (linear above 20)."""
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 20.0, x, np.log1p(np.exp(np.minimum(x, 20.0))))


_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu_exact(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def activation(name):
    """The activations of Hugging Face's ACT2FN that the tiny configs use."""
    table = {
        "gelu": gelu_exact,
        "gelu_new": gelu_tanh,
        "gelu_pytorch_tanh": gelu_tanh,
        "silu": silu,
        "swish": silu,
        "relu": lambda x: np.maximum(x, 0.0),
    }
    if name not in table:
        raise ValueError(f"activation {name!r} is not in the reference")
    return table[name]


def causal_mask(length):
    """True above the diagonal (positions a query may not read)."""
    return np.triu(np.ones((length, length), dtype=bool), 1)


def assert_close(actual, expected, what, tolerance=1e-9):
    """Relative to the largest magnitude of `expected`: the checks the generator runs as it goes."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    scale = max(float(np.max(np.abs(expected))), 1e-300)
    error = float(np.max(np.abs(actual - expected))) / scale
    assert error <= tolerance, f"{what}: relative error {error:.3g} > {tolerance:g}"
