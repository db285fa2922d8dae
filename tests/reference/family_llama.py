"""Llama and its look-alikes (model_type llama, mistral, qwen2), from Hugging
Face's modeling_llama.py (LlamaAttention, LlamaMLP, LlamaRMSNorm,
LlamaDecoderLayer) and modeling_qwen2.py: RMSNorm, rotate-half RoPE over the
whole head with rope_scaling, grouped-query attention (query head h reads kv
head h // (heads / kv_heads)), scaling head_dim^-0.5, SwiGLU MLP. Biases:
llama and mistral on q, k, v and o when attention_bias; qwen2 always on q,
k, v and never on o. A tied head has no lm_head tensor in the file."""
from attention import apply_rope, attend, merge_heads, rope_inv_freq, split_heads
from numerics import activation, linear, rms_norm

FAMILY = "llama"


def shape(config):
    d, H = config["hidden_size"], config["num_attention_heads"]
    kv = config.get("num_key_value_heads") or H
    return d, H, kv, config.get("head_dim") or d // H


def biases(config):
    """(q/k/v bias, o bias) as each model_type's attention module builds them."""
    if config["model_type"] == "qwen2":
        return True, False
    on = config.get("attention_bias", False)
    return on, on


def tied(config):
    return config.get("tie_word_embeddings", False)


def make_block_weights(config, w, prefix):
    """input_layernorm, self_attn.{q,k,v,o}_proj, post_attention_layernorm, mlp.*: one Llama decoder layer."""
    d, H, kv, hd = shape(config)
    inner = config["intermediate_size"]
    qkv_bias, o_bias = biases(config)
    w.norm(prefix + "input_layernorm.weight", (d,))
    w.norm(prefix + "post_attention_layernorm.weight", (d,))
    for name, rows, gain in (("q_proj", H * hd, 3.0), ("k_proj", kv * hd, 3.0), ("v_proj", kv * hd, 1.0)):
        w.dense(prefix + "self_attn." + name + ".weight", (rows, d), gain)
        if qkv_bias:
            w.small(prefix + "self_attn." + name + ".bias", (rows,))
    w.dense(prefix + "self_attn.o_proj.weight", (d, H * hd))
    if o_bias:
        w.small(prefix + "self_attn.o_proj.bias", (d,))
    mlp_bias = config.get("mlp_bias", False)
    for name, shp in (("gate_proj", (inner, d)), ("up_proj", (inner, d)), ("down_proj", (d, inner))):
        w.dense(prefix + "mlp." + name + ".weight", shp)
        if mlp_bias:
            w.small(prefix + "mlp." + name + ".bias", (shp[0],))


def make_weights(config, w):
    d, vocab = config["hidden_size"], config["vocab_size"]
    w.embedding("model.embed_tokens.weight", (vocab, d))
    for l in range(config["num_hidden_layers"]):
        make_block_weights(config, w, f"model.layers.{l}.")
    w.norm("model.norm.weight", (d,))
    if not tied(config):
        w.dense("lm_head.weight", (vocab, d))
    return w


def _lin(w, name, x):
    return linear(x, w[name + ".weight"], w.get(name + ".bias"))


def attention(config, w, prefix, h, targets, mode, inv_freq, qk_input=None, form="softmax"):
    """The self_attn part on normed input h [L, d]: (map, o_proj output). qk_input (normed) feeds q and k when given."""
    _, H, kv, hd = shape(config)
    qk = h if qk_input is None else qk_input
    q = split_heads(_lin(w, prefix + "self_attn.q_proj", qk), H)
    k = split_heads(_lin(w, prefix + "self_attn.k_proj", qk), kv)
    v = split_heads(_lin(w, prefix + "self_attn.v_proj", h), kv)
    probs, ctx = attend(apply_rope(q, inv_freq), apply_rope(k, inv_freq), v, hd ** -0.5, targets, mode, form)
    return probs, _lin(w, prefix + "self_attn.o_proj", merge_heads(ctx))


def mlp(config, w, prefix, x):
    act = activation(config.get("hidden_act", "silu"))
    return _lin(w, prefix + "mlp.down_proj", act(_lin(w, prefix + "mlp.gate_proj", x)) * _lin(w, prefix + "mlp.up_proj", x))


def forward(config, w, ids, ablation):
    mode, heads_of = ablation
    eps = config.get("rms_norm_eps", 1e-6)
    _, _, _, hd = shape(config)
    inv_freq = rope_inv_freq(hd, config.get("rope_theta", 10000.0), config.get("rope_scaling"))
    x = w["model.embed_tokens.weight"][ids]
    maps = {}
    for l in range(config["num_hidden_layers"]):
        b = f"model.layers.{l}."
        maps[str(l)], a = attention(config, w, b, rms_norm(x, w[b + "input_layernorm.weight"], eps),
                                    heads_of.get(str(l), []), mode, inv_freq)
        x = x + a
        x = x + mlp(config, w, b, rms_norm(x, w[b + "post_attention_layernorm.weight"], eps))
    head = w["model.embed_tokens.weight"] if tied(config) else w["lm_head.weight"]
    return linear(rms_norm(x, w["model.norm.weight"], eps), head), maps
