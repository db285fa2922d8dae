"""The committed fixtures: one entry per tiny checkpoint. Config keys and
tensor names are those of each family's released checkpoints; keys that
start with "_" steer the generator only and are not written."""
import family_gpt2
import family_gpt_neox
import family_hybrid
import family_llama
import family_mamba
import family_mamba2


class Fixture:
    def __init__(self, name, family, config, seed, length, ablate, dtype="F32", modes=("zero", "mean", "uniform"),
                 covers=""):
        self.name, self.family, self.config, self.seed = name, family, config, seed
        self.length, self.ablate, self.dtype, self.modes, self.covers = length, ablate, dtype, modes, covers


def _gpt2(**extra):
    return dict({"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "vocab_size": 96, "n_embd": 32,
                 "n_head": 4, "n_layer": 2, "n_positions": 64, "n_ctx": 64, "n_inner": None,
                 "activation_function": "gelu_new", "layer_norm_epsilon": 1e-05, "scale_attn_weights": True,
                 "tie_word_embeddings": True}, **extra)


def _neox(**extra):
    return dict({"model_type": "gpt_neox", "architectures": ["GPTNeoXForCausalLM"], "vocab_size": 96,
                 "hidden_size": 32, "num_attention_heads": 4, "num_hidden_layers": 2, "intermediate_size": 128,
                 "hidden_act": "gelu", "rotary_pct": 0.25, "rotary_emb_base": 10000, "max_position_embeddings": 2048,
                 "layer_norm_eps": 1e-05, "use_parallel_residual": True, "tie_word_embeddings": False}, **extra)


def _llama(**extra):
    return dict({"model_type": "llama", "architectures": ["LlamaForCausalLM"], "vocab_size": 96, "hidden_size": 32,
                 "intermediate_size": 96, "num_attention_heads": 4, "num_key_value_heads": 2,
                 "num_hidden_layers": 2, "head_dim": 8, "hidden_act": "silu", "rms_norm_eps": 1e-05,
                 "rope_theta": 10000.0, "rope_scaling": None, "max_position_embeddings": 4096,
                 "attention_bias": False, "mlp_bias": False, "tie_word_embeddings": False}, **extra)


def _mamba2_hf(**extra):
    return dict({"model_type": "mamba2", "architectures": ["Mamba2ForCausalLM"], "vocab_size": 96,
                 "hidden_size": 32, "num_heads": 4, "head_dim": 16, "state_size": 8, "n_groups": 1, "expand": 2,
                 "conv_kernel": 4, "chunk_size": 256, "num_hidden_layers": 2, "layer_norm_epsilon": 1e-05,
                 "rms_norm": True, "use_bias": False, "use_conv_bias": True, "hidden_act": "silu",
                 "residual_in_fp32": True, "tie_word_embeddings": False, "time_step_limit": [0.0, float("inf")],
                 "norm_before_gate": False}, **extra)


def _mamba_hf(**extra):
    return dict({"model_type": "mamba", "architectures": ["MambaForCausalLM"], "vocab_size": 96, "hidden_size": 16,
                 "state_size": 4, "num_hidden_layers": 2, "expand": 2, "conv_kernel": 4, "time_step_rank": 1,
                 "layer_norm_epsilon": 1e-05, "use_bias": False, "use_conv_bias": True, "hidden_act": "silu",
                 "residual_in_fp32": True, "tie_word_embeddings": True, "intermediate_size": 32}, **extra)


def _hybrid(layer_types, mixer, layout="uniform", **extra):
    return dict({"model_type": "attnscope_hybrid", "vocab_size": 96, "hidden_size": 16, "num_hidden_layers": len(layer_types),
                 "layer_types": layer_types, "attention_mixer": mixer, "mixer_layout": layout,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 4, "intermediate_size": 32,
                 "rms_norm_eps": 1e-05, "rope_theta": 10000.0, "max_position_embeddings": 32,
                 "ssm_state_size": 4, "ssm_num_heads": 4, "ssm_head_dim": 8, "ssm_n_groups": 1,
                 "ssm_conv_kernel": 4, "tie_word_embeddings": True}, **extra)


FIXTURES = [
    Fixture("gpt2-tiny", family_gpt2, _gpt2(), 1, 16, {"1": [2]},
            covers="save_pretrained layout (transformer. prefix), Conv1D [in, out], learned positions, tanh GELU, tied head"),
    Fixture("gpt2-tiny-official", family_gpt2,
            _gpt2(_prefix="", _mask_buffers=True, n_inner=48, activation_function="gelu",
                  scale_attn_by_inverse_layer_idx=True), 2, 16, {"0": [0], "1": [3]},
            covers="released layout (no prefix, attn.bias buffers), n_inner, exact GELU, scores / (layer + 1)"),
    Fixture("pythia-tiny", family_gpt_neox, _neox(), 3, 16, {"1": [1]},
            covers="fused per-head [q|k|v], partial rotary (rotary_pct 0.25), parallel residual, untied embed_out"),
    Fixture("neox-tiny-sequential", family_gpt_neox,
            _neox(use_parallel_residual=False, rotary_pct=1.0, rotary_emb_base=100, tie_word_embeddings=True), 4, 16,
            {"0": [2]}, covers="sequential residual, full rotary, rotary base 100, tied head"),
    Fixture("llama-tiny-gqa", family_llama, _llama(), 5, 16, {"1": [2]},
            covers="RMSNorm, RoPE, grouped-query attention 4/2, SwiGLU, untied head"),
    Fixture("llama3-tiny-scaled", family_llama,
            _llama(num_key_value_heads=1, tie_word_embeddings=True, attention_bias=True,
                   rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                 "high_freq_factor": 4.0, "original_max_position_embeddings": 64}), 6, 20,
            {"0": [1], "1": [3]},
            covers="Llama-3 RoPE scaling (all three frequency bands), multi-query attention, q/k/v/o biases, tied head"),
    Fixture("qwen2-tiny", family_llama,
            {k: v for k, v in _llama(model_type="qwen2", architectures=["Qwen2ForCausalLM"], num_key_value_heads=4,
                                     rope_theta=1000000.0, rope_scaling={"type": "linear", "factor": 2.0},
                                     rms_norm_eps=1e-06, use_sliding_window=False, sliding_window=4096,
                                     max_window_layers=2).items()
             if k not in ("attention_bias", "mlp_bias")}, 7, 16,
            {"1": [0]}, covers="qwen2 q/k/v biases and no o bias, linear RoPE scaling, rope_theta 1e6"),
    Fixture("mistral-tiny", family_llama,
            _llama(model_type="mistral", architectures=["MistralForCausalLM"], sliding_window=4096, rope_theta=1000000.0),
            18, 16, {"0": [3]}, covers="mistral config (sliding window longer than any prompt here), GQA 4/2"),
    Fixture("mamba-tiny", family_mamba, _mamba_hf(), 8, 14, {"1": [3, 20]},
            covers="Hugging Face mamba: in_proj split, causal depthwise conv, selective scan, D skip, SiLU gate"),
    Fixture("mamba-tiny-ssm", family_mamba,
            {"d_model": 16, "n_layer": 2, "vocab_size": 90, "ssm_cfg": {"d_state": 4}, "rms_norm": True,
             "residual_in_fp32": True, "fused_add_norm": True, "pad_vocab_size_multiple": 8, "tie_embeddings": False},
            9, 14, {"0": [1, 17]},
            covers="mamba_ssm dialect: no model_type, ssm_cfg, dt_rank auto, vocab padded 90 -> 96, backbone.embedding, untied"),
    Fixture("mamba2-tiny", family_mamba2, _mamba2_hf(), 10, 16, {"1": [1]},
            covers="Hugging Face mamba2: in_proj order z, xBC, dt; dt_bias; per-head A; gated RMSNorm"),
    Fixture("mamba2-tiny-groups", family_mamba2,
            {"d_model": 32, "d_intermediate": 0, "n_layer": 2, "vocab_size": 90,
             "ssm_cfg": {"layer": "Mamba2", "d_state": 8, "headdim": 8, "ngroups": 2},
             "attn_layer_idx": [], "attn_cfg": {}, "rms_norm": True, "residual_in_fp32": True,
             "fused_add_norm": True, "pad_vocab_size_multiple": 16, "tie_embeddings": True}, 11, 16, {"0": [5], "1": [0, 7]},
            covers="mamba_ssm dialect, 8 heads over 2 B/C groups, one gated-norm group per B/C group, tied head"),
    Fixture("hybrid-tiny", family_hybrid,
            _hybrid(["mamba2", "attention", "attention"], "approximate", "alternate"), 12, 16, {"0": [2], "1": [1]},
            covers="attnscope_hybrid: Mamba-2 then attention layers, approximate mixer on odd layers only"),
]
for _mixer, _seed in (("non_approximate", 13), ("mlp", 14), ("rnd_emb_qk", 15), ("fixed_seq_qk", 16),
                      ("static_emb_qk", 17)):
    FIXTURES.append(Fixture(f"hybrid-tiny-{_mixer.replace('_', '-')}", family_hybrid,
                            _hybrid(["attention", "mamba2"], _mixer), _seed, 12, {"0": [1]},
                            modes=("zero", "mean") if _mixer == "mlp" else ("zero", "mean", "uniform"),
                            covers=f"relaxed attention mixer {_mixer}"))
# Real checkpoints ship in bf16 or fp16: the same shapes stored that way, with
# references computed from the rounded weights.
FIXTURES += [
    Fixture("llama-tiny-gqa-bf16", family_llama, _llama(), 5, 16, {"1": [2]}, dtype="BF16",
            covers="llama-tiny-gqa stored as BF16"),
    Fixture("mamba2-tiny-bf16", family_mamba2, _mamba2_hf(), 10, 16, {"1": [1]}, dtype="BF16",
            covers="mamba2-tiny stored as BF16"),
    Fixture("gpt2-tiny-f16", family_gpt2, _gpt2(), 1, 16, {"1": [2]}, dtype="F16", covers="gpt2-tiny stored as F16"),
    Fixture("mamba-tiny-f16", family_mamba, _mamba_hf(), 8, 14, {"1": [3, 20]}, dtype="F16",
            covers="mamba-tiny stored as F16"),
]
