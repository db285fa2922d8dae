"""Which reference family module reads a config.json."""
import family_bamba
import family_falcon_h1
import family_falcon_mamba
import family_gpt2
import family_gpt_neox
import family_granitemoehybrid
import family_hybrid
import family_jamba
import family_llama
import family_llamba
import family_mamba
import family_mamba2
import family_nemotron_h
import family_qwen3
import family_zamba2

_BY_MODEL_TYPE = {
    "gpt2": family_gpt2,
    "gpt_neox": family_gpt_neox,
    "llama": family_llama,
    "mistral": family_llama,
    "qwen2": family_llama,
    "mamba": family_mamba,
    "mamba2": family_mamba2,
    "attnscope_hybrid": family_hybrid,
    "qwen3": family_qwen3,
    "falcon_mamba": family_falcon_mamba,
    "jamba": family_jamba,
    "bamba": family_bamba,
    "nemotron_h": family_nemotron_h,
    "llamba": family_llamba,
    "zamba2": family_zamba2,
    "falcon_h1": family_falcon_h1,
    "granitemoehybrid": family_granitemoehybrid,
}


def family_for(config):
    """The module for a config; mamba_ssm's own configs have no model_type (ssm_cfg.layer says which)."""
    if "model_type" not in config:
        if "n_v_heads" in config.get("ssm_cfg", {}) or "n_qk_heads" in config.get("ssm_cfg", {}):
            return family_llamba  # Cartesia's configs: DiscreteMamba2 sizes in ssm_cfg
        layer = config.get("ssm_cfg", {}).get("layer", "Mamba1")
        return family_mamba2 if layer == "Mamba2" else family_mamba
    if config["model_type"] not in _BY_MODEL_TYPE:
        raise ValueError(f"model_type {config['model_type']!r}")
    return _BY_MODEL_TYPE[config["model_type"]]
