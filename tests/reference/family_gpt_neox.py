"""GPT-NeoX / Pythia, from Hugging Face's modeling_gpt_neox.py
(GPTNeoXAttention, GPTNeoXLayer, GPTNeoXRotaryEmbedding): fused
query_key_value laid out per head as [q | k | v], rotate-half RoPE on the
first int(head_size * rotary_pct) channels, scores / sqrt(head_size),
parallel residual x + attn(ln1 x) + mlp(ln2 x) unless use_parallel_residual
is false (then h = x + attn(ln1 x); h + mlp(ln2 h)), untied embed_out."""
import math

from attention import apply_rope, attend, merge_heads, rope_inv_freq
import numpy as np
from numerics import activation, layer_norm, linear

FAMILY = "gpt_neox"


def make_weights(config, w):
    d, vocab = config["hidden_size"], config["vocab_size"]
    inner = config.get("intermediate_size", 4 * d)
    w.embedding("gpt_neox.embed_in.weight", (vocab, d))
    for l in range(config["num_hidden_layers"]):
        b = f"gpt_neox.layers.{l}."
        for ln in ("input_layernorm", "post_attention_layernorm"):
            w.norm(b + ln + ".weight", (d,))
            w.small(b + ln + ".bias", (d,))
        for name, shape, gain in (("attention.query_key_value", (3 * d, d), 3.0), ("attention.dense", (d, d), 1.0),
                                  ("mlp.dense_h_to_4h", (inner, d), 1.0), ("mlp.dense_4h_to_h", (d, inner), 1.0)):
            w.dense(b + name + ".weight", shape, gain)
            w.small(b + name + ".bias", (shape[0],))
    w.norm("gpt_neox.final_layer_norm.weight", (d,))
    w.small("gpt_neox.final_layer_norm.bias", (d,))
    if not config.get("tie_word_embeddings", False):
        w.dense("embed_out.weight", (vocab, d))
    return w


def forward(config, w, ids, ablation):
    mode, heads_of = ablation
    d, H = config["hidden_size"], config["num_attention_heads"]
    hd = d // H
    eps = config.get("layer_norm_eps", 1e-5)
    act = activation(config.get("hidden_act", "gelu"))
    inv_freq = rope_inv_freq(int(hd * config.get("rotary_pct", 1.0)), config.get("rotary_emb_base", 10000),
                             config.get("rope_scaling"))
    lin = lambda x, name: linear(x, w[name + ".weight"], w[name + ".bias"])
    length = len(ids)
    x = w["gpt_neox.embed_in.weight"][ids]
    maps = {}
    for l in range(config["num_hidden_layers"]):
        b = f"gpt_neox.layers.{l}."
        qkv = lin(layer_norm(x, w[b + "input_layernorm.weight"], w[b + "input_layernorm.bias"], eps),
                  b + "attention.query_key_value")
        qkv = np.transpose(qkv.reshape(length, H, 3 * hd), (1, 0, 2))  # [H, L, 3 * hd]
        q, k, v = apply_rope(qkv[..., :hd], inv_freq), apply_rope(qkv[..., hd:2 * hd], inv_freq), qkv[..., 2 * hd:]
        maps[str(l)], ctx = attend(q, k, v, 1.0 / math.sqrt(hd), heads_of.get(str(l), []), mode)
        attn = lin(merge_heads(ctx), b + "attention.dense")
        mlp = lambda h: lin(act(lin(layer_norm(h, w[b + "post_attention_layernorm.weight"],
                                               w[b + "post_attention_layernorm.bias"], eps), b + "mlp.dense_h_to_4h")),
                            b + "mlp.dense_4h_to_h")
        if config.get("use_parallel_residual", True):
            x = x + attn + mlp(x)
        else:
            h = x + attn
            x = h + mlp(h)
    x = layer_norm(x, w["gpt_neox.final_layer_norm.weight"], w["gpt_neox.final_layer_norm.bias"], eps)
    head = w["gpt_neox.embed_in.weight"] if config.get("tie_word_embeddings", False) else w["embed_out.weight"]
    return linear(x, head), maps
