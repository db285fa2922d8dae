"""Bamba, from Hugging Face's modeling_bamba.py (BambaAttention,
apply_rotary_pos_emb, BambaMixer.torch_forward, BambaRMSNormGated,
BambaDecoderLayer) and configuration_bamba.py: layers listed in
attn_layer_indices are attention, the others Mamba-2 ("mamba"); every layer
is x + mixer(input_layernorm x), then x + SwiGLU(pre_ff_layernorm x).
Attention: GQA, scale head_dim^-0.5 with head_dim = hidden / heads, RoPE
(rotate-half) on the first partial_rotary_factor (0.5) of each head's
channels. Mamba-2: in_proj [z | x B C | dt], SiLU after the conv,
dt = softplus(dt + dt_bias), D per head, then the gated RMSNorm: gate first,
one RMS over the whole d_inner (no groups), eps rms_norm_eps."""
from attention import rope_inv_freq
from blocks import Mamba2Options, attention_mixer, gated_mlp, mamba2_mixer, mamba2_weights
from numerics import linear, rms_norm

FAMILY = "bamba"


def mamba_options(c):
    d = c["hidden_size"]
    heads, head_dim = c.get("mamba_n_heads", 128), c.get("mamba_d_head", "auto")
    d_inner = c.get("mamba_expand", 2) * d
    if head_dim == "auto":
        head_dim = d_inner // heads
    return Mamba2Options(d, d_inner, heads, head_dim, c.get("mamba_n_groups", 1), c.get("mamba_d_state", 256),
                         c.get("mamba_d_conv", 4), c.get("rms_norm_eps", 1e-5), norm="full",
                         conv_bias=c.get("mamba_conv_bias", True), proj_bias=c.get("mamba_proj_bias", False))


def attention_layers(c):
    return set(c.get("attn_layer_indices") or [])


def make_weights(c, w):
    d, vocab, inner = c["hidden_size"], c["vocab_size"], c["intermediate_size"]
    H, kv = c["num_attention_heads"], c.get("num_key_value_heads", c["num_attention_heads"])
    hd = d // H
    w.embedding("model.embed_tokens.weight", (vocab, d))
    for i in range(c["num_hidden_layers"]):
        b = f"model.layers.{i}."
        w.norm(b + "input_layernorm.weight", (d,))
        w.norm(b + "pre_ff_layernorm.weight", (d,))
        if i in attention_layers(c):
            for name, rows, gain in (("q_proj", H * hd, 3.0), ("k_proj", kv * hd, 3.0), ("v_proj", kv * hd, 1.0)):
                w.dense(b + "self_attn." + name + ".weight", (rows, d), gain)
            w.dense(b + "self_attn.o_proj.weight", (d, H * hd))
        else:
            mamba2_weights(w, b + "mamba.", mamba_options(c))
        for name, shape in (("gate_proj", (inner, d)), ("up_proj", (inner, d)), ("down_proj", (d, inner))):
            w.dense(b + "feed_forward." + name + ".weight", shape)
    w.norm("model.final_layernorm.weight", (d,))
    if not c.get("tie_word_embeddings", False):
        w.dense("lm_head.weight", (vocab, d))
    return w


def forward(c, w, ids, ablation):
    mode, heads_of = ablation
    eps = c.get("rms_norm_eps", 1e-5)
    d = c["hidden_size"]
    H, kv = c["num_attention_heads"], c.get("num_key_value_heads", c["num_attention_heads"])
    hd = d // H
    inv_freq = rope_inv_freq(int(hd * 0.5), c.get("rope_theta", 10000.0))  # BambaConfig fixes partial_rotary_factor at 0.5
    x = w["model.embed_tokens.weight"][ids]
    maps = {}
    for i in range(c["num_hidden_layers"]):
        b = f"model.layers.{i}."
        h = rms_norm(x, w[b + "input_layernorm.weight"], eps)
        targets = heads_of.get(str(i), [])
        if i in attention_layers(c):
            maps[str(i)], out = attention_mixer(w, b + "self_attn.", h, H, kv, hd, targets, mode, inv_freq)
        else:
            maps[str(i)], out = mamba2_mixer(w, b + "mamba.", h, mamba_options(c), targets, mode)
        x = x + out
        x = x + gated_mlp(w, b + "feed_forward.", rms_norm(x, w[b + "pre_ff_layernorm.weight"], eps),
                          c.get("hidden_act", "silu"))
    head = w["model.embed_tokens.weight"] if c.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return linear(rms_norm(x, w["model.final_layernorm.weight"], eps), head), maps
