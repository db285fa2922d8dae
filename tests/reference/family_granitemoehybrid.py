"""Granite-4.0-H, from Hugging Face's modeling_granitemoehybrid.py
(GraniteMoeHybridDecoderLayer, GraniteMoeHybridAttention, GraniteMoeHybridModel,
GraniteMoeHybridForCausalLM; the Bamba mixer and the GraniteMoeShared MLP, MoE
and router it reuses) and configuration_granitemoehybrid.py. layer_types
(alias layers_block_type) marks each layer "mamba" or "attention". Layer:
x + residual_multiplier * mixer(input_layernorm x), then
x + residual_multiplier * (moe(f) + shared_mlp(f)) with f = post_attention_layernorm x
(shared_mlp alone when num_local_experts is 0). Attention scores are scaled
by attention_multiplier (not head_dim^-0.5), no positions unless
position_embedding_type is "rope", GQA, head_dim = hidden / heads. Shared MLP
and experts: [gate | up] = input_linear x, output_linear(act(gate) * up);
experts are 3-D tensors [E, 2F, d] and [E, d, F]. Router: the top k raw
logits, softmaxed among themselves. Embeddings times embedding_multiplier;
logits divided by logits_scaling. Mamba-2 as Bamba (gate first, full-width
RMSNorm, eps rms_norm_eps, conv activation hidden_act)."""
import numpy as np

from attention import rope_inv_freq
from blocks import Mamba2Options, attention_mixer, mamba2_mixer, mamba2_weights, require_clear_choice
from numerics import activation, linear, rms_norm, softmax

FAMILY = "granitemoehybrid"


def layer_types(c):
    return c.get("layer_types") or c.get("layers_block_type") or ["mamba"] * c["num_hidden_layers"]


def mamba_options(c):
    d = c["hidden_size"]
    d_inner = c.get("mamba_expand", 2) * d
    heads = c.get("mamba_n_heads", 128)
    head_dim = c.get("mamba_d_head", "auto")
    return Mamba2Options(d, d_inner, heads, d_inner // heads if head_dim == "auto" else head_dim,
                         c.get("mamba_n_groups", 1), c.get("mamba_d_state", 256), c.get("mamba_d_conv", 4),
                         c.get("rms_norm_eps", 1e-6), norm="full", conv_bias=c.get("mamba_conv_bias", True),
                         proj_bias=c.get("mamba_proj_bias", False))


def heads(c):
    H = c["num_attention_heads"]
    kv = c.get("num_key_value_heads") or H
    return H, kv, c["hidden_size"] // H


def make_weights(c, w):
    d, vocab = c["hidden_size"], c["vocab_size"]
    H, kv, hd = heads(c)
    E, F, S = c.get("num_local_experts", 8), c["intermediate_size"], c.get("shared_intermediate_size", 1024)
    w.embedding("model.embed_tokens.weight", (vocab, d))
    for i, kind in enumerate(layer_types(c)):
        b = f"model.layers.{i}."
        w.norm(b + "input_layernorm.weight", (d,))
        w.norm(b + "post_attention_layernorm.weight", (d,))
        if kind == "mamba":
            mamba2_weights(w, b + "mamba.", mamba_options(c))
        else:
            for name, rows, gain in (("q_proj", H * hd, 3.0), ("k_proj", kv * hd, 3.0), ("v_proj", kv * hd, 1.0)):
                w.dense(b + "self_attn." + name + ".weight", (rows, d), gain)
                if c.get("attention_bias", False):
                    w.small(b + "self_attn." + name + ".bias", (rows,))
            w.dense(b + "self_attn.o_proj.weight", (d, H * hd))
            if c.get("attention_bias", False):
                w.small(b + "self_attn.o_proj.bias", (d,))
        w.dense(b + "shared_mlp.input_linear.weight", (2 * S, d))
        w.dense(b + "shared_mlp.output_linear.weight", (d, S))
        if E > 0:
            w.dense(b + "block_sparse_moe.router.layer.weight", (E, d), 3.0)
            w.dense(b + "block_sparse_moe.input_linear.weight", (E, 2 * F, d))
            w.dense(b + "block_sparse_moe.output_linear.weight", (E, d, F))
    w.norm("model.norm.weight", (d,))
    if not c.get("tie_word_embeddings", False):
        w.dense("lm_head.weight", (vocab, d))
    return w


def glu(x, w_in, w_out, act):
    """output(act(gate) * up) with [gate | up] = input x."""
    h = linear(x, w_in)
    half = h.shape[-1] // 2
    return linear(activation(act)(h[:, :half]) * h[:, half:], w_out)


def moe(c, w, p, x, act):
    E, k = c.get("num_local_experts", 8), c.get("num_experts_per_tok", 2)
    logits = linear(x, w[p + "router.layer.weight"])
    out = np.zeros_like(x)
    for t in range(len(x)):
        ranked = sorted(range(E), key=lambda e: (-logits[t, e], e))
        if k < E:
            require_clear_choice(logits[t, ranked[k - 1]], logits[t, ranked[k]], p)
        top = ranked[:k]
        gates = softmax(logits[t, top])
        for g, e in zip(gates, top):
            out[t] = out[t] + g * glu(x[t:t + 1], w[p + "input_linear.weight"][e], w[p + "output_linear.weight"][e], act)[0]
    return out


def forward(c, w, ids, ablation):
    mode, heads_of = ablation
    eps = c.get("rms_norm_eps", 1e-6)
    H, kv, hd = heads(c)
    r = c.get("residual_multiplier", 1.0)
    act = c.get("hidden_act", "silu")
    inv_freq = rope_inv_freq(hd, c.get("rope_theta", 10000.0)) if c.get("position_embedding_type") == "rope" else None
    x = w["model.embed_tokens.weight"][ids] * c.get("embedding_multiplier", 1.0)
    maps = {}
    for i, kind in enumerate(layer_types(c)):
        b = f"model.layers.{i}."
        h = rms_norm(x, w[b + "input_layernorm.weight"], eps)
        targets = heads_of.get(str(i), [])
        if kind == "mamba":
            maps[str(i)], out = mamba2_mixer(w, b + "mamba.", h, mamba_options(c), targets, mode)
        else:
            maps[str(i)], out = attention_mixer(w, b + "self_attn.", h, H, kv, hd, targets, mode, inv_freq,
                                                scale=c.get("attention_multiplier", 1.0))
        x = x + out * r
        f = rms_norm(x, w[b + "post_attention_layernorm.weight"], eps)
        ffn = glu(f, w[b + "shared_mlp.input_linear.weight"], w[b + "shared_mlp.output_linear.weight"], act)
        if c.get("num_local_experts", 8) > 0:
            ffn = ffn + moe(c, w, b + "block_sparse_moe.", f, act)
        x = x + ffn * r
    head = w["model.embed_tokens.weight"] if c.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return linear(rms_norm(x, w["model.norm.weight"], eps), head) / c.get("logits_scaling", 1.0), maps
