"""The committed fixtures: one entry per tiny checkpoint. Config keys and
tensor names are those of each family's released checkpoints; keys that
start with "_" steer the generator only and are not written."""
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
    Fixture("hybrid-tiny-ssm-attention", family_hybrid,
            _hybrid(["mamba2", "attention", "mamba2"], "standard", ssm_attention_heads={"0": [1], "2": [3, 0]},
                    ssm_attention_head_dim=6, ssm_norm_before_gate=True, ssm_use_conv_bias=False,
                    ssm_time_step_limit=[0.0, 0.3]), 18, 16, {"0": [1, 2], "2": [3]},
            covers="head replacement: Mamba-2 heads computed by softmax attention with a gain (ssm_attention_heads), "
                   "and the ssm_* keys a converted Mamba-2 checkpoint carries"),
    Fixture("hybrid-tiny-attention-ssm-heads", family_hybrid,
            _hybrid(["attention", "mamba2", "attention"], "standard", attention_ssm_heads={"0": [1, 2], "2": [3]}),
            19, 16, {"0": [2, 3], "2": [3]},
            covers="retrieval-aware distillation: GQA attention heads computed by SSD scans over their own q, k, v "
                   "(attention_ssm_heads)"),
]
for _mixer, _seed in (("non_approximate", 13), ("mlp", 14), ("rnd_emb_qk", 15), ("fixed_seq_qk", 16),
                      ("static_emb_qk", 17)):
    FIXTURES.append(Fixture(f"hybrid-tiny-{_mixer.replace('_', '-')}", family_hybrid,
                            _hybrid(["attention", "mamba2"], _mixer), _seed, 12, {"0": [1]},
                            modes=("zero", "mean") if _mixer == "mlp" else ("zero", "mean", "uniform"),
                            covers=f"relaxed attention mixer {_mixer}"))

def _qwen3(**extra):
    return dict({"model_type": "qwen3", "architectures": ["Qwen3ForCausalLM"], "vocab_size": 96, "hidden_size": 32,
                 "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                 "head_dim": 16, "hidden_act": "silu", "max_position_embeddings": 4096, "rms_norm_eps": 1e-06,
                 "tie_word_embeddings": False, "rope_theta": 1000000.0, "rope_scaling": None, "attention_bias": False,
                 "use_sliding_window": False, "sliding_window": None, "max_window_layers": 2}, **extra)


def _mamba2_block(prefix="mamba"):
    return {f"{prefix}_n_heads": 4, f"{prefix}_d_head": 16, f"{prefix}_n_groups": 1, f"{prefix}_d_state": 8,
            f"{prefix}_d_conv": 4, f"{prefix}_expand": 2, f"{prefix}_chunk_size": 256, f"{prefix}_conv_bias": True,
            f"{prefix}_proj_bias": False}


def _falcon_h1(**extra):
    return dict({"model_type": "falcon_h1", "architectures": ["FalconH1ForCausalLM"], "vocab_size": 96, "hidden_size": 32,
                 "intermediate_size": 64, "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2,
                 "head_dim": 12, "hidden_act": "silu", "rms_norm_eps": 1e-05, "max_position_embeddings": 4096,
                 "attention_bias": False, "mlp_bias": False, "mamba_d_ssm": 48, "mamba_n_heads": 4, "mamba_d_head": 12,
                 "mamba_n_groups": 1, "mamba_d_state": 8, "mamba_d_conv": 4, "mamba_expand": 2, "mamba_chunk_size": 128,
                 "mamba_conv_bias": True, "mamba_proj_bias": False, "mamba_norm_before_gate": False, "mamba_rms_norm": True,
                 "projectors_bias": False, "rope_theta": 100000000000.0, "rope_scaling": None, "tie_word_embeddings": False,
                 "embedding_multiplier": 5.0, "lm_head_multiplier": 0.04, "key_multiplier": 0.4,
                 "attention_in_multiplier": 1.3, "attention_out_multiplier": 0.8, "ssm_in_multiplier": 1.2,
                 "ssm_out_multiplier": 0.25, "mlp_multipliers": [0.9, 0.6], "ssm_multipliers": [0.35, 0.25, 0.4, 0.5, 0.3]},
                **extra)


def _zamba2(**extra):
    return dict({"model_type": "zamba2", "architectures": ["Zamba2ForCausalLM"], "vocab_size": 96, "max_position_embeddings": 4096,
                 "hidden_size": 16, "num_hidden_layers": 4, "layers_block_type": ["mamba", "hybrid", "mamba", "hybrid"],
                 "mamba_d_state": 8, "mamba_d_conv": 4, "mamba_expand": 2, "mamba_ngroups": 1, "time_step_limit": None,
                 "n_mamba_heads": 4, "mamba_headdim": 8, "use_conv_bias": True, "chunk_size": 256, "add_bias_linear": False,
                 "intermediate_size": 32, "hidden_act": "gelu", "num_attention_heads": 2, "num_key_value_heads": 2,
                 "num_mem_blocks": 1, "use_shared_attention_adapter": True, "adapter_rank": 4, "use_mem_rope": True,
                 "rope_theta": 10000, "rms_norm_eps": 1e-05, "tie_word_embeddings": True, "attention_hidden_size": 32,
                 "attention_head_dim": 16, "hybrid_layer_ids": [1, 3]}, **extra)


def _granite(**extra):
    return dict({"model_type": "granitemoehybrid", "architectures": ["GraniteMoeHybridForCausalLM"], "vocab_size": 96,
                 "hidden_size": 32, "intermediate_size": 16, "shared_intermediate_size": 32, "num_hidden_layers": 3,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "hidden_act": "silu", "rms_norm_eps": 1e-05,
                 "layer_types": ["mamba", "attention", "mamba"], "position_embedding_type": "nope",
                 "embedding_multiplier": 4.0, "attention_multiplier": 0.125, "residual_multiplier": 0.5,
                 "logits_scaling": 2.5, "num_local_experts": 4, "num_experts_per_tok": 2, "tie_word_embeddings": True,
                 "attention_bias": False, "max_position_embeddings": 4096, "mamba_n_heads": 4, "mamba_d_head": "auto",
                 "mamba_n_groups": 1, "mamba_d_state": 8, "mamba_d_conv": 4, "mamba_expand": 2, "mamba_chunk_size": 256,
                 "mamba_conv_bias": True, "mamba_proj_bias": False, "normalization_function": "rmsnorm",
                 "rope_theta": 10000.0}, **extra)


# The models the Transformer-vs-SSM studies open (issue: Llamba, Falcon-Mamba,
# Qwen3 and the real hybrids), each in its released config dialect.
FIXTURES += [
    Fixture("qwen3-tiny", family_qwen3, _qwen3(), 21, 15, {"1": [1]},
            covers="per-head q_norm/k_norm before RoPE, head_dim 16 != hidden/heads, GQA 4/2, rope_theta 1e6"),
    Fixture("qwen3-tiny-tied-bias", family_qwen3, _qwen3(tie_word_embeddings=True, attention_bias=True, num_key_value_heads=4),
            22, 12, {"0": [2]}, covers="Qwen3 with attention biases on q/k/v/o and a tied head"),
    Fixture("falcon_mamba-tiny", family_falcon_mamba,
            {"model_type": "falcon_mamba", "architectures": ["FalconMambaForCausalLM"], "vocab_size": 96, "hidden_size": 16,
             "state_size": 8, "num_hidden_layers": 2, "layer_norm_epsilon": 1e-05, "expand": 2, "intermediate_size": 32,
             "conv_kernel": 4, "use_bias": False, "use_conv_bias": True, "hidden_act": "silu", "residual_in_fp32": True,
             "time_step_rank": 4, "mixer_rms_eps": 1e-06, "tie_word_embeddings": False}, 23, 14, {"1": [3, 20]},
            covers="Mamba-1 with weightless RMS norms on dt, B and C (mixer_rms_eps), untied head"),
    Fixture("jamba-tiny", family_jamba,
            {"model_type": "jamba", "architectures": ["JambaForCausalLM"], "vocab_size": 96, "tie_word_embeddings": False,
             "hidden_size": 16, "intermediate_size": 32, "num_hidden_layers": 3, "num_attention_heads": 4,
             "num_key_value_heads": 2, "hidden_act": "silu", "rms_norm_eps": 1e-06, "sliding_window": None,
             "max_position_embeddings": 4096, "num_experts_per_tok": 2, "num_experts": 4, "expert_layer_period": 2,
             "expert_layer_offset": 1, "attn_layer_period": 3, "attn_layer_offset": 1, "use_mamba_kernels": False,
             "mamba_d_state": 8, "mamba_d_conv": 4, "mamba_expand": 2, "mamba_dt_rank": 4, "mamba_conv_bias": True,
             "mamba_proj_bias": False}, 24, 14, {"0": [5, 30], "1": [3]},
            covers="attn_layer_period/offset, Mamba-1 with weighted dt/B/C norms, NoPE GQA attention, top-2 MoE without renormalisation"),
    Fixture("bamba-tiny", family_bamba,
            dict({"model_type": "bamba", "architectures": ["BambaForCausalLM"], "vocab_size": 96, "tie_word_embeddings": False,
                  "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 3, "num_attention_heads": 4,
                  "num_key_value_heads": 2, "hidden_act": "silu", "rms_norm_eps": 1e-05, "max_position_embeddings": 4096,
                  "attn_layer_indices": [1], "rope_theta": 10000.0, "partial_rotary_factor": 0.5,
                  "attention_bias": False, "mlp_bias": False}, **_mamba2_block()), 25, 18, {"0": [1], "1": [2]},
            covers="attn_layer_indices, partial RoPE (half of each head), full-width gated RMSNorm, pre_ff_layernorm"),
    Fixture("nemotron_h-tiny", family_nemotron_h,
            {"model_type": "nemotron_h", "architectures": ["NemotronHForCausalLM"], "vocab_size": 96, "hidden_size": 32,
             "intermediate_size": 64, "num_hidden_layers": 3, "hybrid_override_pattern": "M*-", "num_attention_heads": 4,
             "num_key_value_heads": 2, "head_dim": 8, "attention_head_dim": 8, "mlp_hidden_act": "relu2",
             "attention_bias": False, "mlp_bias": False, "use_bias": False, "layer_norm_epsilon": 1e-05,
             "ssm_state_size": 8, "mamba_num_heads": 4, "mamba_head_dim": 16, "n_groups": 2, "mamba_n_groups": 2,
             "conv_kernel": 4, "mamba_d_conv": 4, "expand": 2, "mamba_expand": 2, "chunk_size": 128, "use_conv_bias": True,
             "mamba_hidden_act": "silu", "time_step_limit": [0.0, float("inf")], "max_position_embeddings": 4096,
             "tie_word_embeddings": False}, 26, 20, {"0": [3], "1": [0]},
            covers="hybrid_override_pattern M*- (a layer that mixes no tokens), NoPE attention, 2 B/C groups with a grouped gated norm, relu^2 MLP"),
    Fixture("llamba-tiny", family_llamba,
            {"model_type": "llamba", "vocab_size": 96, "tie_embeddings": False, "pad_vocab_size_multiple": 8,
             "lm_head_bias": False, "d_model": 32, "n_layer": 2, "norm_epsilon": 1e-05,
             "mlp_cfg": {"intermediate_size": 64, "bias": False, "act_fn": "silu"},
             "ssm_cfg": {"d_state": 8, "n_v_heads": 4, "n_qk_heads": 4, "expand": 1, "chunk_size": 128,
                         "activation": "identity", "bias": False}}, 27, 16, {"1": [2]},
            covers="Cartesia's Llamba config (d_model, ssm_cfg, mlp_cfg), DiscreteMamba2: no dt, decay exp(-softplus(a)), z_bias"),
    Fixture("llamba-tiny-cartesia", family_llamba,
            {"vocab_size": 90, "tie_embeddings": True, "pad_vocab_size_multiple": 8, "lm_head_bias": False, "d_model": 32,
             "n_layer": 2, "norm_epsilon": 1e-04, "mlp_cfg": {"intermediate_size": 48, "bias": False, "act_fn": "silu"},
             "ssm_cfg": {"d_state": 8, "n_v_heads": 4, "n_qk_heads": 2, "expand": 1, "chunk_size": 128,
                         "activation": "identity", "bias": False}}, 28, 14, {"0": [3]},
            covers="no model_type (found by ssm_cfg.n_v_heads), 4 v-heads over 2 qk-heads, vocab padded 90 -> 96, tied head, final-norm eps 1e-4"),
    Fixture("zamba2-tiny", family_zamba2, _zamba2(), 29, 16, {"3.attn": [1], "2": [1]},
            covers="one shared attention block invoked twice with per-invocation LoRA on q/k/v and gate_up, concat(hidden, embeddings) input"),
    Fixture("zamba2-tiny-two-blocks", family_zamba2,
            _zamba2(num_hidden_layers=5, layers_block_type=["hybrid", "mamba", "hybrid", "hybrid", "mamba"],
                    hybrid_layer_ids=[0, 2, 3], num_mem_blocks=2, use_mem_rope=False), 30, 12, {"0.attn": [0], "3.attn": [1], "4": [2]},
            covers="two shared blocks alternating over three hybrid layers, each stored under its first user, no RoPE"),
    Fixture("falcon_h1-tiny", family_falcon_h1, _falcon_h1(), 31, 17, {"0.attn": [3], "1": [1]},
            covers="attention beside Mamba-2 in every layer, every muP multiplier, the ssm_multipliers vector, mamba_d_ssm != expand*hidden"),
    Fixture("falcon_h1-tiny-no-norm", family_falcon_h1,
            _falcon_h1(mamba_rms_norm=False, mamba_d_ssm=None, mamba_d_head="auto", tie_word_embeddings=True,
                       num_key_value_heads=4, head_dim=8), 32, 12, {"1.attn": [0], "0": [2]},
            covers="mamba_rms_norm false (gate only, no norm weight), mamba_d_ssm null, head_dim auto, tied head"),
    Fixture("granitemoehybrid-tiny", family_granitemoehybrid, _granite(), 33, 16, {"0": [1], "1": [2]},
            covers="Granite-4.0-H: NoPE attention scaled by attention_multiplier, residual/embedding multipliers, logits_scaling, top-2 MoE plus shared MLP, 3-D expert tensors"),
    Fixture("granitemoehybrid-tiny-dense-rope", family_granitemoehybrid,
            _granite(num_local_experts=0, position_embedding_type="rope", layer_types=["attention", "mamba"],
                     num_hidden_layers=2, tie_word_embeddings=False), 34, 12, {"0": [3]},
            covers="dense Granite (num_local_experts 0: shared MLP only), RoPE attention, untied head"),
]

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
