"""GPT-2, from Hugging Face's modeling_gpt2.py (GPT2Attention, GPT2MLP,
GPT2Block, GPT2Model): learned positions, pre-LayerNorm blocks, Conv1D
weights stored [in, out], tied head. Released checkpoints name tensors
without a prefix (`h.0.attn.c_attn.weight`); save_pretrained adds
`transformer.`. `scale_attn_by_inverse_layer_idx` divides scores by layer + 1."""
import math

import numpy as np

from attention import attend, merge_heads, split_heads
from numerics import activation, layer_norm, linear, matmul

FAMILY = "gpt2"


def _prefix(config):
    return config.get("_prefix", "transformer.")


def make_weights(config, w):
    d, layers, vocab = config["n_embd"], config["n_layer"], config["vocab_size"]
    inner = config.get("n_inner") or 4 * d
    p = _prefix(config)
    w.embedding(p + "wte.weight", (vocab, d))
    w.small(p + "wpe.weight", (config["n_positions"], d), 0.5)
    for l in range(layers):
        b = f"{p}h.{l}."
        for ln in ("ln_1", "ln_2"):
            w.norm(b + ln + ".weight", (d,))
            w.small(b + ln + ".bias", (d,))
        # Conv1D: [in, out]; fan-in is the first dimension.
        for name, shape, gain in (("attn.c_attn", (d, 3 * d), 3.0), ("attn.c_proj", (d, d), 1.0),
                                  ("mlp.c_fc", (d, inner), 1.0), ("mlp.c_proj", (inner, d), 1.0)):
            w._put(b + name + ".weight", w.stream.normal(b + name + ".weight", shape, gain / math.sqrt(shape[0])))
            w.small(b + name + ".bias", (shape[1],))
    w.norm(p + "ln_f.weight", (d,))
    w.small(p + "ln_f.bias", (d,))
    return w


def forward(config, w, ids, ablation):
    mode, heads_of = ablation
    d, H, eps = config["n_embd"], config["n_head"], config.get("layer_norm_epsilon", 1e-5)
    act = activation(config.get("activation_function", "gelu_new"))
    p = _prefix(config)
    conv1d = lambda x, name: matmul(x, w[name + ".weight"]) + w[name + ".bias"]
    length = len(ids)
    x = w[p + "wte.weight"][ids] + w[p + "wpe.weight"][:length]
    maps = {}
    for l in range(config["n_layer"]):
        b = f"{p}h.{l}."
        qkv = conv1d(layer_norm(x, w[b + "ln_1.weight"], w[b + "ln_1.bias"], eps), b + "attn.c_attn")
        q, k, v = (split_heads(qkv[:, i * d:(i + 1) * d], H) for i in range(3))
        scale = 1.0 / math.sqrt(d // H) if config.get("scale_attn_weights", True) else 1.0
        if config.get("scale_attn_by_inverse_layer_idx", False):
            scale /= l + 1
        maps[str(l)], ctx = attend(q, k, v, scale, heads_of.get(str(l), []), mode)
        h = x + conv1d(merge_heads(ctx), b + "attn.c_proj")
        m = conv1d(act(conv1d(layer_norm(h, w[b + "ln_2.weight"], w[b + "ln_2.bias"], eps), b + "mlp.c_fc")), b + "mlp.c_proj")
        x = h + m
    x = layer_norm(x, w[p + "ln_f.weight"], w[p + "ln_f.bias"], eps)
    return linear(x, w[p + "wte.weight"]), maps
