"""Qwen3, from Hugging Face's modeling_qwen3.py (Qwen3Attention, Qwen3RMSNorm,
Qwen3DecoderLayer): the Llama layout with per-head RMSNorms q_norm / k_norm
([head_dim], eps rms_norm_eps) applied to q and k before RoPE, head_dim from
the config (it need not be hidden / heads), attention_bias on q, k, v and o
(default off), no sliding window unless use_sliding_window."""
import family_llama as llama
from attention import rope_inv_freq
from blocks import attention_mixer, gated_mlp
from numerics import linear, rms_norm

FAMILY = "qwen3"


def make_weights(config, w):
    llama.make_weights(config, w)
    _, _, _, hd = llama.shape(config)
    for l in range(config["num_hidden_layers"]):
        w.norm(f"model.layers.{l}.self_attn.q_norm.weight", (hd,))
        w.norm(f"model.layers.{l}.self_attn.k_norm.weight", (hd,))
    return w


def forward(config, w, ids, ablation):
    mode, heads_of = ablation
    eps = config.get("rms_norm_eps", 1e-6)
    _, H, kv, hd = llama.shape(config)
    inv_freq = rope_inv_freq(hd, config.get("rope_theta", 10000.0), config.get("rope_scaling"))
    x = w["model.embed_tokens.weight"][ids]
    maps = {}
    for l in range(config["num_hidden_layers"]):
        b = f"model.layers.{l}."
        maps[str(l)], a = attention_mixer(w, b + "self_attn.", rms_norm(x, w[b + "input_layernorm.weight"], eps), H, kv, hd,
                                          heads_of.get(str(l), []), mode, inv_freq, qk_norm_eps=eps)
        x = x + a
        x = x + gated_mlp(w, b + "mlp.", rms_norm(x, w[b + "post_attention_layernorm.weight"], eps),
                          config.get("hidden_act", "silu"))
    head = w["model.embed_tokens.weight"] if llama.tied(config) else w["lm_head.weight"]
    return linear(rms_norm(x, w["model.norm.weight"], eps), head), maps
