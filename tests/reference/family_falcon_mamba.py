"""Falcon-Mamba, from Hugging Face's modeling_falcon_mamba.py (rms_forward,
FalconMambaMixer.slow_forward): Mamba-1 in the HF mamba layout whose x_proj
outputs dt (rank R), B and C are each RMS-normalised without a weight (eps
mixer_rms_eps, default 1e-6) before dt_proj and the scan."""
import family_mamba as mamba
from numerics import linear, rms_norm

FAMILY = "falcon_mamba"


def make_weights(config, w):
    return mamba.make_weights(config, w)


def forward(config, w, ids, ablation):
    mode, heads_of = ablation
    d, layers, vocab, d_inner, n, rank, kernel = mamba.sizes(config)
    eps = config.get("layer_norm_epsilon", 1e-5)
    mixer_eps = config.get("mixer_rms_eps", 1e-6)
    weightless = lambda dt, B, C: (rms_norm(dt, None, mixer_eps), rms_norm(B, None, mixer_eps), rms_norm(C, None, mixer_eps))
    x = w["backbone.embeddings.weight"][ids]
    maps = {}
    for l in range(layers):
        b = f"backbone.layers.{l}."
        maps[str(l)], out = mamba.mixer(w, b + "mixer.", rms_norm(x, w[b + "norm.weight"], eps), d_inner, n, rank,
                                        heads_of.get(str(l), []), mode, weightless)
        x = x + out
    head = w["backbone.embeddings.weight"] if mamba.tied(config) else w["lm_head.weight"]
    return linear(rms_norm(x, w["backbone.norm_f.weight"], eps), head), maps
