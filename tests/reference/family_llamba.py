"""Llamba, from Cartesia's cartesia_pytorch/Llamba (llamba.py LlambaLMHeadModel,
MixerModel, Block; mixers/discrete_mamba2.py DiscreteMamba2; modeling_llama.py
LlamaRMSNorm, LlamaMLP; configuration_llamba.py). Config: d_model, n_layer,
vocab_size padded to pad_vocab_size_multiple, ssm_cfg (d_state, n_v_heads,
n_qk_heads, expand, d_conv, activation, bias, conv_bias), mlp_cfg
(intermediate_size, bias, act_fn), norm_epsilon (the final norm only: the
blocks' two RMSNorms use 1e-5), tie_embeddings, lm_head_bias. Block:
x + mixer(input_layernorm x), then x + mlp(post_attention_layernorm x)."""
from blocks import discrete_mamba2_mixer, gated_mlp
from numerics import linear, rms_norm

FAMILY = "llamba"


def sizes(c):
    s = c["ssm_cfg"]
    d = c["d_model"]
    vocab, multiple = c["vocab_size"], c.get("pad_vocab_size_multiple", 8)
    return d, s.get("expand", 1) * d, s.get("n_v_heads", 32), s.get("n_qk_heads", 32), s.get("d_state", 64), \
        s.get("d_conv", 4), vocab + (-vocab % multiple)


def make_weights(c, w):
    d, d_inner, vh, qh, n, kernel, vocab = sizes(c)
    s, mcfg = c["ssm_cfg"], c["mlp_cfg"]
    inner = mcfg["intermediate_size"]
    w.embedding("backbone.embedding.weight", (vocab, d))
    for i in range(c["n_layer"]):
        b = f"backbone.layers.{i}."
        m = b + "mixer."
        w.norm(b + "input_layernorm.weight", (d,))
        w.norm(b + "post_attention_layernorm.weight", (d,))
        rows = 2 * d_inner + 2 * qh * n + vh
        w.dense(m + "in_proj.weight", (rows, d))
        if s.get("bias", False):
            w.small(m + "in_proj.bias", (rows,))
        else:
            w.small(m + "z_bias", (d_inner,), 0.5)
        w.conv(m + "conv1d.weight", (d_inner + 2 * qh * n, 1, kernel))
        if s.get("conv_bias", True):
            w.small(m + "conv1d.bias", (d_inner + 2 * qh * n,))
        w.uniform(m + "D", (vh,), 0.5, 1.5)
        w.dense(m + "out_proj.weight", (d, d_inner))
        if s.get("bias", False):
            w.small(m + "out_proj.bias", (d,))
        for name, shape in (("gate_proj", (inner, d)), ("up_proj", (inner, d)), ("down_proj", (d, inner))):
            w.dense(b + "mlp." + name + ".weight", shape)
            if mcfg.get("bias", False):
                w.small(b + "mlp." + name + ".bias", (shape[0],))
    w.norm("backbone.final_layernorm.weight", (d,))
    if not c.get("tie_embeddings", False):
        w.dense("lm_head.weight", (vocab, d))
        if c.get("lm_head_bias", False):
            w.small("lm_head.bias", (vocab,))
    return w


def forward(c, w, ids, ablation):
    mode, heads_of = ablation
    d, d_inner, vh, qh, n, kernel, vocab = sizes(c)
    act = c["mlp_cfg"].get("act_fn", "silu")
    x = w["backbone.embedding.weight"][ids]
    maps = {}
    for i in range(c["n_layer"]):
        b = f"backbone.layers.{i}."
        maps[str(i)], out = discrete_mamba2_mixer(w, b + "mixer.", rms_norm(x, w[b + "input_layernorm.weight"], 1e-5),
                                                  d_inner, vh, qh, n, c["ssm_cfg"].get("activation", "identity"),
                                                  heads_of.get(str(i), []), mode)
        x = x + out
        x = x + gated_mlp(w, b + "mlp.", rms_norm(x, w[b + "post_attention_layernorm.weight"], 1e-5), act)
    x = rms_norm(x, w["backbone.final_layernorm.weight"], c.get("norm_epsilon", 1e-5))
    if c.get("tie_embeddings", False):
        return linear(x, w["backbone.embedding.weight"]), maps
    return linear(x, w["lm_head.weight"], w.get("lm_head.bias")), maps
