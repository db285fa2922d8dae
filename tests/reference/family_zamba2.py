"""Zamba2, from Hugging Face's modeling_zamba2.py (Zamba2Attention, Zamba2MLP,
Zamba2AttentionDecoderLayer, Zamba2MambaMixer, Zamba2RMSNormGated,
Zamba2MambaDecoderLayer, Zamba2HybridLayer, Zamba2Model.get_layers) and
configuration_zamba2.py. layers_block_type marks each layer "mamba" or
"hybrid". A hybrid layer (the p-th of hybrid_layer_ids) runs shared block
p % num_mem_blocks on concat(hidden, original embeddings) (width 2C):
RMSNorm(2C) -> attention -> RMSNorm(C) -> gated MLP, no residual inside;
the result goes through the layer's own `linear` and is added to the Mamba
input only: x + mamba(RMSNorm(x + linear(block))). Attention: head_dim =
2C / heads, scale (head_dim / 2)^-0.5, RoPE over the whole head when
use_mem_rope, LoRA adapters W x + up(down x) on q, k, v and the MLP's
gate_up_proj, one per invocation p. MLP: act(first half) * second half ->
down_proj. Mamba mixer: conv with bias, SiLU, gated RMSNorm per
mamba_ngroups group, eps 1e-5. Each shared block is stored once, under the
first hybrid layer that uses it."""
import numpy as np

from attention import rope_inv_freq
from blocks import Mamba2Options, attention_mixer, lin, mamba2_mixer, mamba2_weights
from numerics import activation, linear, rms_norm

FAMILY = "zamba2"


def mamba_options(c):
    d = c["hidden_size"]
    d_inner = c.get("mamba_expand", 2) * d
    heads = c.get("n_mamba_heads", 8)
    return Mamba2Options(d, d_inner, heads, c.get("mamba_headdim", d_inner // heads), c.get("mamba_ngroups", 1),
                         c.get("mamba_d_state", 64), c.get("mamba_d_conv", 4), 1e-5, norm="grouped",
                         conv_bias=True, proj_bias=c.get("add_bias_linear", False))


def hybrid_ids(c):
    return [i for i, t in enumerate(c["layers_block_type"]) if t == "hybrid"]


def block_prefix(c, p):
    """Where shared block p % num_mem_blocks is stored: under the first hybrid layer that uses it."""
    blocks = c.get("num_mem_blocks", 1)
    first = next(q for q in range(len(hybrid_ids(c))) if q % blocks == p % blocks)
    return f"model.layers.{hybrid_ids(c)[first]}.shared_transformer."


def attention_shape(c):
    H = c["num_attention_heads"]
    return H, c.get("num_key_value_heads", H), c.get("attention_head_dim", 2 * c["hidden_size"] // H)


def make_weights(c, w):
    d, vocab, inner = c["hidden_size"], c["vocab_size"], c["intermediate_size"]
    H, kv, hd = attention_shape(c)
    rank = c.get("adapter_rank", 128)
    w.embedding("model.embed_tokens.weight", (vocab, d))
    hybrids = hybrid_ids(c)
    blocks = c.get("num_mem_blocks", 1)
    for i, kind in enumerate(c["layers_block_type"]):
        b = f"model.layers.{i}."
        if kind == "mamba":
            w.norm(b + "input_layernorm.weight", (d,))
            mamba2_weights(w, b + "mamba.", mamba_options(c))
            continue
        p = hybrids.index(i)
        w.dense(b + "linear.weight", (d, d))
        w.norm(b + "mamba_decoder.input_layernorm.weight", (d,))
        mamba2_weights(w, b + "mamba_decoder.mamba.", mamba_options(c))
        s = block_prefix(c, p)
        if s == b + "shared_transformer.":  # the block's first use: its weights, with every invocation's adapters
            w.norm(s + "input_layernorm.weight", (2 * d,))
            w.norm(s + "pre_ff_layernorm.weight", (d,))
            for name, rows, gain in (("q_proj", H * hd, 3.0), ("k_proj", kv * hd, 3.0), ("v_proj", kv * hd, 1.0)):
                w.dense(s + "self_attn." + name + ".weight", (rows, 2 * d), gain)
            w.dense(s + "self_attn.o_proj.weight", (d, H * hd))
            w.dense(s + "feed_forward.gate_up_proj.weight", (2 * inner, d))
            w.dense(s + "feed_forward.down_proj.weight", (d, inner))
            for q in range(len(hybrids)):
                if q % blocks != p % blocks or not c.get("use_shared_attention_adapter", False):
                    continue
                for name, rows in (("q", H * hd), ("k", kv * hd), ("v", kv * hd)):
                    a = f"{s}self_attn.linear_{name}_adapter_list.{q}."
                    w.dense(a + "0.weight", (rank, 2 * d))
                    w.dense(a + "1.weight", (rows, rank))
                a = f"{s}feed_forward.gate_up_proj_adapter_list.{q}."
                w.dense(a + "0.weight", (rank, d))
                w.dense(a + "1.weight", (2 * inner, rank))
    w.norm("model.final_layernorm.weight", (d,))
    if not c.get("tie_word_embeddings", True):
        w.dense("lm_head.weight", (vocab, d))
    return w


def shared_block(c, w, s, p, x, embedded, targets, mode, inv_freq):
    """Shared block invocation p: (attention map, block output before the layer's `linear`)."""
    eps = c.get("rms_norm_eps", 1e-5)
    H, kv, hd = attention_shape(c)
    h = rms_norm(np.concatenate([x, embedded], -1), w[s + "input_layernorm.weight"], eps)
    adapters = None
    if c.get("use_shared_attention_adapter", False):
        adapters = {f"{n}_proj": (w[f"{s}self_attn.linear_{n}_adapter_list.{p}.0.weight"],
                                  w[f"{s}self_attn.linear_{n}_adapter_list.{p}.1.weight"]) for n in "qkv"}
    probs, a = attention_mixer(w, s + "self_attn.", h, H, kv, hd, targets, mode, inv_freq, scale=(hd / 2) ** -0.5,
                               adapters=adapters)
    f = rms_norm(a, w[s + "pre_ff_layernorm.weight"], eps)
    gate_up = lin(w, s + "feed_forward.gate_up_proj", f)
    if c.get("use_shared_attention_adapter", False):
        a0 = f"{s}feed_forward.gate_up_proj_adapter_list.{p}."
        gate_up = gate_up + linear(linear(f, w[a0 + "0.weight"]), w[a0 + "1.weight"])
    half = gate_up.shape[-1] // 2
    mlp = activation(c.get("hidden_act", "gelu"))(gate_up[:, :half]) * gate_up[:, half:]
    return probs, lin(w, s + "feed_forward.down_proj", mlp)


def forward(c, w, ids, ablation):
    mode, heads_of = ablation
    eps = c.get("rms_norm_eps", 1e-5)
    H, kv, hd = attention_shape(c)
    inv_freq = rope_inv_freq(hd, c.get("rope_theta", 10000)) if c.get("use_mem_rope", False) else None
    embedded = w["model.embed_tokens.weight"][ids]
    x = embedded
    maps = {}
    hybrids = hybrid_ids(c)
    for i, kind in enumerate(c["layers_block_type"]):
        b = f"model.layers.{i}."
        if kind == "mamba":
            maps[str(i)], out = mamba2_mixer(w, b + "mamba.", rms_norm(x, w[b + "input_layernorm.weight"], eps),
                                             mamba_options(c), heads_of.get(str(i), []), mode)
            x = x + out
            continue
        p = hybrids.index(i)
        maps[f"{i}.attn"], t = shared_block(c, w, block_prefix(c, p), p, x, embedded, heads_of.get(f"{i}.attn", []),
                                            mode, inv_freq)
        m = x + lin(w, b + "linear", t)
        maps[str(i)], out = mamba2_mixer(w, b + "mamba_decoder.mamba.",
                                         rms_norm(m, w[b + "mamba_decoder.input_layernorm.weight"], eps),
                                         mamba_options(c), heads_of.get(str(i), []), mode)
        x = x + out
    head = w["model.embed_tokens.weight"] if c.get("tie_word_embeddings", True) else w["lm_head.weight"]
    return linear(rms_norm(x, w["model.final_layernorm.weight"], eps), head), maps
