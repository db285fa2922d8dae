"""Falcon-H1, from Hugging Face's modeling_falcon_h1.py (FalconH1DecoderLayer,
FalconH1Mixer.torch_forward / cuda_kernels_forward, compute_mup_vector,
FalconH1RMSNormGated, FalconH1Attention, FalconH1MLP, FalconH1Model,
FalconH1ForCausalLM) and configuration_falcon_h1.py. Every layer runs
attention and a Mamba-2 mixer side by side on the same normed input n:
x += ssm_out_multiplier * mamba(n) + attention_out_multiplier * attn(attention_in_multiplier * n),
then x += mlp(pre_ff_layernorm x) with mlp = down(up f * silu(gate f * m0)) * m1.
Embeddings are scaled by embedding_multiplier, logits by lm_head_multiplier.
Mamba-2: in_proj(ssm_in_multiplier * n) times the mup vector (ssm_multipliers
repeated over the blocks [z | x | B | C | dt]); d_ssm = mamba_d_ssm (null:
expand * hidden; absent: 1024), head_dim mamba_d_head ("auto": d_ssm / heads);
gate and norm: y * silu(z) when mamba_rms_norm is false, else the gated
RMSNorm over mamba_n_groups groups, norm first when mamba_norm_before_gate.
Attention: GQA, head_dim from the config, keys times key_multiplier, RoPE."""
from attention import rope_inv_freq
from blocks import Mamba2Options, attention_mixer, gated_mlp, mamba2_mixer, mamba2_weights
from numerics import linear, rms_norm

FAMILY = "falcon_h1"


def mamba_options(c):
    d = c["hidden_size"]
    d_ssm = c.get("mamba_d_ssm", 1024)
    if d_ssm is None:
        d_ssm = c.get("mamba_expand", 2) * d
    heads = c.get("mamba_n_heads", 128)
    head_dim = c.get("mamba_d_head", "auto")
    if head_dim == "auto":
        head_dim = d_ssm // heads
    limit = c.get("time_step_limit") or [0.0, float("inf")]
    return Mamba2Options(d, d_ssm, heads, head_dim, c.get("mamba_n_groups", 1), c.get("mamba_d_state", 256),
                         c.get("mamba_d_conv", 4), c.get("rms_norm_eps", 1e-5),
                         norm="grouped" if c.get("mamba_rms_norm", False) else "none",
                         norm_before_gate=c.get("mamba_norm_before_gate", True),
                         conv_bias=c.get("mamba_conv_bias", True), proj_bias=c.get("mamba_proj_bias", False),
                         in_multiplier=c.get("ssm_in_multiplier", 1.0), mup=c.get("ssm_multipliers", [1.0] * 5),
                         dt_limit=tuple(limit))


def attention_shape(c):
    H = c["num_attention_heads"]
    kv = c.get("num_key_value_heads", 8)
    return H, H if kv is None else kv, c.get("head_dim") or c["hidden_size"] // H


def make_weights(c, w):
    d, vocab, inner = c["hidden_size"], c["vocab_size"], c["intermediate_size"]
    H, kv, hd = attention_shape(c)
    o = mamba_options(c)
    w.embedding("model.embed_tokens.weight", (vocab, d))
    for i in range(c["num_hidden_layers"]):
        b = f"model.layers.{i}."
        w.norm(b + "input_layernorm.weight", (d,))
        w.norm(b + "pre_ff_layernorm.weight", (d,))
        mamba2_weights(w, b + "mamba.", o, norm_weight=c.get("mamba_rms_norm", False))
        if c.get("projectors_bias", False):
            w.small(b + "mamba.out_proj.bias", (d,))
        for name, rows, gain in (("q_proj", H * hd, 3.0), ("k_proj", kv * hd, 3.0), ("v_proj", kv * hd, 1.0)):
            w.dense(b + "self_attn." + name + ".weight", (rows, d), gain)
        w.dense(b + "self_attn.o_proj.weight", (d, H * hd))
        for name, shape in (("gate_proj", (inner, d)), ("up_proj", (inner, d)), ("down_proj", (d, inner))):
            w.dense(b + "feed_forward." + name + ".weight", shape)
    w.norm("model.final_layernorm.weight", (d,))
    if not c.get("tie_word_embeddings", False):
        w.dense("lm_head.weight", (vocab, d))
    return w


def forward(c, w, ids, ablation):
    mode, heads_of = ablation
    eps = c.get("rms_norm_eps", 1e-5)
    H, kv, hd = attention_shape(c)
    inv_freq = rope_inv_freq(hd, c.get("rope_theta", 1e5), c.get("rope_scaling"))
    mlp_m = c.get("mlp_multipliers", [1.0, 1.0])
    o = mamba_options(c)
    x = w["model.embed_tokens.weight"][ids] * c.get("embedding_multiplier", 1.0)
    maps = {}
    for i in range(c["num_hidden_layers"]):
        b = f"model.layers.{i}."
        n = rms_norm(x, w[b + "input_layernorm.weight"], eps)
        maps[str(i)], ssm = mamba2_mixer(w, b + "mamba.", n, o, heads_of.get(str(i), []), mode)
        maps[f"{i}.attn"], attn = attention_mixer(w, b + "self_attn.", n * c.get("attention_in_multiplier", 1.0), H, kv, hd,
                                                  heads_of.get(f"{i}.attn", []), mode, inv_freq,
                                                  key_multiplier=c.get("key_multiplier", 1.0))
        x = x + c.get("ssm_out_multiplier", 1.0) * ssm + c.get("attention_out_multiplier", 1.0) * attn
        f = rms_norm(x, w[b + "pre_ff_layernorm.weight"], eps)
        x = x + gated_mlp(w, b + "feed_forward.", f, c.get("hidden_act", "silu"), mlp_m[0]) * mlp_m[1]
    head = w["model.embed_tokens.weight"] if c.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return linear(rms_norm(x, w["model.final_layernorm.weight"], eps), head) * c.get("lm_head_multiplier", 1.0), maps
