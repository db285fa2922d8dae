#!/usr/bin/env python3
"""The robustness suite: hostile checkpoints, configs, prompts and sessions,
full disks, little memory and signals, against the attnscope CLI. Each case
is named after the failure it pins (issue 22's list and its classes).

    robustness.py APP SOURCE_ROOT GROUP     GROUP: configs checkpoints prompts outputs sessions memory signals
"""
import json
import math
import os
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import Failure, Runner, limits, snapshot  # noqa: E402


def load_config(path):
    with open(path) as f:
        return json.load(f)


def write_config(folder, config):
    with open(os.path.join(folder, "config.json"), "w") as f:
        f.write(json.dumps(config, indent=2, allow_nan=True))


def fixture_copy(ctx, fixture, name, change=None):
    """A copy of a committed fixture with its config changed by `change(config)`."""
    folder = os.path.join(ctx.work, name)
    shutil.copytree(os.path.join(ctx.fixtures, fixture), folder)
    if change:
        config = load_config(os.path.join(folder, "config.json"))
        change(config)
        write_config(folder, config)
    return folder


def set_keys(**values):
    def change(config):
        config.update(values)
    return change


class Context:
    def __init__(self, app, root):
        self.app, self.root = app, root
        self.fixtures = os.path.join(root, "tests", "fixtures")
        self.demo = os.path.join(root, "resources", "models", "transformer")
        self.demo_prompt = os.path.join(root, "resources", "prompts", "demo.txt")
        self.work = tempfile.mkdtemp(prefix="attnscope-robustness-")
        self.runner = Runner(app, self.work)

    def path(self, name):
        return os.path.join(self.work, name)


# -- configs: one validation pass per family, shared by inspect and run --------------------------------

def configs(ctx):
    r = ctx.runner
    cases = [
        ("gpt2_n_head_zero_sigfpe", "gpt2-tiny", set_keys(n_head=0), "'n_head' must be a positive integer, not 0"),
        ("gpt2_n_head_negative", "gpt2-tiny", set_keys(n_head=-4), "'n_head' must be a positive integer, not -4"),
        ("gpt2_n_layer_negative_runs_zero_layers", "gpt2-tiny", set_keys(n_layer=-2), "'n_layer' must be a positive"),
        ("gpt2_eps_nan_silent_nan", "gpt2-tiny", set_keys(layer_norm_epsilon=float("nan")), "'layer_norm_epsilon'.*NaN"),
        ("gpt2_eps_negative", "gpt2-tiny", set_keys(layer_norm_epsilon=-1e-5), "'layer_norm_epsilon' must be a finite number above 0"),
        ("gpt2_unknown_activation", "gpt2-tiny", set_keys(activation_function="swiglu9"), "activation_function 'swiglu9' is not supported"),
        ("neox_heads_zero_sigfpe", "pythia-tiny", set_keys(num_attention_heads=0), "'num_attention_heads' must be a positive integer"),
        ("neox_rotary_pct_two", "pythia-tiny", set_keys(rotary_pct=2), "'rotary_pct' must be a number from 0 to 1, not 2"),
        ("neox_rotary_pct_nan", "pythia-tiny", set_keys(rotary_pct=float("nan")), "'rotary_pct' must be a number from 0 to 1, not NaN"),
        ("neox_rotary_odd_dims", "pythia-tiny", set_keys(rotary_pct=0.375), "rotary embeddings need an even number"),
        ("llama_max_positions_negative_means_no_limit", "llama-tiny-gqa", set_keys(max_position_embeddings=-5),
         "'max_position_embeddings' must be a positive integer, not -5"),
        ("llama_head_dim_1e12_allocates", "llama-tiny-gqa", set_keys(head_dim=1e12), "'head_dim' is 1000000000000, more than the 16777216"),
        ("llama_heads_not_multiple_of_kv", "llama-tiny-gqa", set_keys(num_key_value_heads=3), "is not a multiple of num_key_value_heads"),
        ("llama_rope_theta_zero", "llama-tiny-gqa", set_keys(rope_theta=0), "'rope_theta' must be a finite number above 0, not 0"),
        ("llama_rope_theta_nan", "llama-tiny-gqa", set_keys(rope_theta=float("nan")), "'rope_theta' must be a finite number above 0, not NaN"),
        ("llama_rope_theta_negative", "llama-tiny-gqa", set_keys(rope_theta=-10000.0), "'rope_theta' must be a finite number above 0"),
        ("llama_linear_rope_factor_zero", "llama-tiny-gqa", set_keys(rope_scaling={"type": "linear", "factor": 0}),
         "'factor' must be a finite number above 0, not 0"),
        ("llama_rope_scaling_unknown", "llama-tiny-gqa", set_keys(rope_scaling={"rope_type": "yarn", "factor": 4}),
         "rope_scaling type 'yarn' is not supported"),
        ("llama_eps_infinite", "llama-tiny-gqa", set_keys(rms_norm_eps=float("inf")), "'rms_norm_eps' must be a finite number above 0, not Infinity"),
        ("mamba2_n_groups_zero_sigfpe", "mamba2-tiny", set_keys(n_groups=0), "'n_groups' must be a positive integer, not 0"),
        ("mamba2_head_dim_zero_sigfpe", "mamba2-tiny", set_keys(head_dim=0), "'head_dim' must be a positive integer, not 0"),
        ("mamba2_heads_not_multiple_of_groups", "mamba2-tiny", set_keys(n_groups=3), "is not a multiple of n_groups"),
        ("mamba2_time_step_limit_inverted", "mamba2-tiny", set_keys(time_step_limit=[1.0, 0.5]), "time_step_limit"),
        ("mamba_expand_overflow", "mamba-tiny", lambda c: (c.pop("intermediate_size"), c.update(expand=2 ** 62)),
         "'expand' is 4611686018427387904, more than"),
        ("mamba_expand_times_hidden_overflow", "mamba-tiny",
         lambda c: (c.pop("intermediate_size"), c.update(expand=1000, hidden_size=2 ** 20)),
         "expand x hidden_size .* is more than"),
        ("mamba_ssm_cfg_wrong_types", "mamba-tiny-ssm", lambda c: c["ssm_cfg"].update(d_state="big"),
         "ssm_cfg: 'd_state' must be a positive integer, not \"big\""),
        ("mamba_ssm_cfg_not_an_object", "mamba-tiny-ssm", set_keys(ssm_cfg=[1, 2]), "'ssm_cfg' must be an object"),
        ("hybrid_unknown_layer_type", "hybrid-tiny", set_keys(layer_types=["mamba2", "attention", "moe"]),
         "layer_types entries must be"),
        ("unknown_model_type", "gpt2-tiny", set_keys(model_type="bert"), "unknown model_type 'bert'"),
    ]
    for name, fixture, change, message in cases:
        folder = fixture_copy(ctx, fixture, name, change)
        # inspect and run share the config reader: both refuse, with the same message.
        r.expect_error(name + "[inspect]", ["inspect", folder], message)
        r.expect_error(name + "[run]", ["run", folder, "--input-ids", "1,2,3"], message)
    folder = fixture_copy(ctx, "gpt2-tiny", "malformed_json")
    with open(os.path.join(folder, "config.json"), "w") as f:
        f.write('{"model_type": "gpt2",')
    r.expect_error("config_malformed_json", ["inspect", folder], "malformed JSON")
    with open(os.path.join(folder, "config.json"), "w") as f:
        f.write("[" * 100000 + "]" * 100000)
    r.expect_error("config_nested_deep", ["inspect", folder], "nests deeper than")


# -- checkpoints: files that hang, escape, lie about their dtype or hold NaN ----------------------------

def safetensors_bytes(tensors):
    """name -> (dtype, shape, raw bytes) as a safetensors file."""
    header, offset, blobs = {}, 0, []
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        blobs.append(raw)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    header.pop("__metadata__", None)
    return {k: (v["dtype"], v["shape"], raw[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]])
            for k, v in header.items()}


def rewrite_weights(folder, change):
    path = os.path.join(folder, "model.safetensors")
    tensors = read_safetensors(path)
    change(tensors)
    with open(path, "wb") as f:
        f.write(safetensors_bytes(tensors))


def checkpoints(ctx):
    r = ctx.runner
    folder = fixture_copy(ctx, "gpt2-tiny", "fifo_weights")
    os.remove(os.path.join(folder, "model.safetensors"))
    os.mkfifo(os.path.join(folder, "model.safetensors"))
    r.expect_error("fifo_model_safetensors_hangs", ["run", folder, "--input-ids", "1,2"], "FIFO", timeout=20)
    folder = fixture_copy(ctx, "gpt2-tiny", "fifo_config")
    os.remove(os.path.join(folder, "config.json"))
    os.mkfifo(os.path.join(folder, "config.json"))
    r.expect_error("fifo_config_json_hangs", ["inspect", folder], "FIFO", timeout=20)
    r.expect_error("fifo_config_json_hangs[run]", ["run", folder, "--input-ids", "1"], "FIFO", timeout=20)

    folder = fixture_copy(ctx, "gpt2-tiny", "symlink_loop")
    os.remove(os.path.join(folder, "config.json"))
    os.symlink("config.json", os.path.join(folder, "config.json"))
    r.expect_error("config_symlink_loop", ["inspect", folder], "symbolic link loop")
    os.symlink("loop_b", ctx.path("loop_a"))
    os.symlink("loop_a", ctx.path("loop_b"))
    r.expect_error("checkpoint_folder_symlink_loop", ["inspect", ctx.path("loop_a")], "symbolic link loop")

    for name, shard in (("sharded_index_parent_escape", "../" * 6 + "etc/passwd"),
                        ("sharded_index_absolute_path", "/etc/passwd"),
                        ("sharded_index_subfolder", "sub/model.safetensors")):
        folder = fixture_copy(ctx, "gpt2-tiny", name)
        tensors = read_safetensors(os.path.join(folder, "model.safetensors"))
        os.remove(os.path.join(folder, "model.safetensors"))
        with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
            json.dump({"weight_map": {k: shard for k in tensors}}, f)
        r.expect_error(name, ["inspect", folder], "not a file name inside the checkpoint folder")

    def as_i32(tensors):
        dtype, shape, raw = tensors["transformer.wte.weight"]
        tensors["transformer.wte.weight"] = ("I32", shape, raw)
    folder = fixture_copy(ctx, "gpt2-tiny", "i32_weight")
    rewrite_weights(folder, as_i32)
    r.expect_error("i32_tensor_where_float_expected", ["run", folder, "--input-ids", "1,2"],
                   "'transformer.wte.weight' is stored as I32; a weight must be floating point")

    def poison(name, index, value):
        """A change that writes one non-finite float into a tensor."""
        def change(tensors):
            dtype, shape, raw = tensors[name]
            values = bytearray(raw)
            values[4 * index:4 * index + 4] = struct.pack("<f", value)
            tensors[name] = (dtype, shape, bytes(values))
        return change
    folder = fixture_copy(ctx, "gpt2-tiny", "nan_weights")
    rewrite_weights(folder, poison("transformer.h.1.mlp.c_fc.weight", 0, float("nan")))
    r.expect_error("nan_weights_print_nan_probabilities", ["run", folder, "--input-ids", "1,2,3"],
                   "NaN or infinite values appear in the output of layer 1")
    r.expect_error("nan_weights_session_not_written", ["run", folder, "--input-ids", "1,2,3", "--out", ctx.path("nan.h5")],
                   "NaN or infinite values appear in the output of layer 1")
    if os.path.exists(ctx.path("nan.h5")):
        r.record("nan_weights_session_not_written[file]", False, "a session was written")

    folder = fixture_copy(ctx, "gpt2-tiny", "inf_embedding")
    rewrite_weights(folder, poison("transformer.wte.weight", 1, float("inf")))
    r.expect_error("inf_embedding", ["run", folder, "--input-ids", "0,1"], "NaN or infinite values appear in the token embeddings")

    folder = fixture_copy(ctx, "gpt2-tiny", "truncated_weights")
    path = os.path.join(folder, "model.safetensors")
    with open(path, "rb") as f:
        raw = f.read()
    with open(path, "wb") as f:
        f.write(raw[:len(raw) // 2])
    r.expect_error("truncated_safetensors", ["run", folder, "--input-ids", "1"], "truncated")

    gpt2 = os.path.join(ctx.fixtures, "gpt2-tiny")
    r.expect_error("target_id_outside_vocabulary", ["run", gpt2, "--input-ids", "1,2", "--target-id", "96"],
                   "--target-id 96 is outside the model's vocabulary")
    r.expect_error("input_id_outside_vocabulary", ["run", gpt2, "--input-ids", "1,500"], "outside the model's vocabulary")
    r.expect_error("prompt_longer_than_model", ["run", gpt2, "--input-ids", ",".join(["1"] * 70)], "at most 64")
    r.expect_error("channel_group_not_a_number", ["run", os.path.join(ctx.fixtures, "mamba-tiny"), "--input-ids", "1",
                                                 "--channel-group", "x"], "--channel-group x: not an integer")
    r.expect_error("ablation_group_not_a_number", ["run", gpt2, "--input-ids", "1,2", "--ablate", "1.x"],
                   "ablation '1.x': expected layer.head")
    r.expect_error("ablation_head_outside_layer", ["run", gpt2, "--input-ids", "1,2", "--ablate", "1.9"],
                   "cannot ablate head 1.9")


# -- prompts: files, bytes, lengths ----------------------------------------------------------------------

def prompts(ctx):
    r = ctx.runner
    demo = ctx.demo
    r.expect_error("prompt_file_is_a_folder", ["run", demo, "--prompt-file", ctx.work], "is a folder")
    os.mkfifo(ctx.path("prompt.fifo"))
    r.expect_error("prompt_file_is_a_fifo", ["run", demo, "--prompt-file", ctx.path("prompt.fifo")], "FIFO", timeout=20)
    with open(ctx.path("invalid.txt"), "wb") as f:
        f.write(b"Alice saw \xff\xfe a cat")
    r.expect_error("prompt_invalid_utf8_stored_as_utf8", ["run", demo, "--prompt-file", ctx.path("invalid.txt")],
                   "not valid UTF-8 \\(byte 10")
    text = b"Lines A and B\x00 with a NUL, then text after it"
    with open(ctx.path("nul.txt"), "wb") as f:
        f.write(text)
    session = ctx.path("nul.h5")
    r.expect_success("prompt_with_nul_runs", ["run", demo, "--prompt-file", ctx.path("nul.txt"), "--out", session])
    try:
        import h5py
        with h5py.File(session, "r") as f:
            stored = bytes(f["/prompt/text_bytes"][()])
            shown = f["/prompt/text"].asstr()[0]  # h5py decodes strictly: this raised before
            tokens = list(f["/prompt/tokens"].asstr()[()])
        ok = stored == text and "\u2400" in shown and len(tokens) > 0
        r.record("prompt_nul_stored_exactly", ok, f"text_bytes {'==' if stored == text else '!='} input; display {shown!r}")
        code, out, err, _ = r.run(["show", session, "--json"])
        shown_json = json.loads(out)["text"] if code == 0 else None
        r.record("prompt_nul_round_trips_through_show", shown_json == text.decode(), f"show --json text: {shown_json!r}")
    except (OSError, KeyError, ValueError) as e:
        r.record("prompt_nul_stored_exactly", False, str(e))
    r.expect_error("prompt_empty", ["run", demo, "--prompt", ""], "empty")


# -- outputs: nothing overwritten that was not asked for ---------------------------------------------------

def outputs(ctx):
    r = ctx.runner
    demo = ctx.demo
    gpt2 = fixture_copy(ctx, "gpt2-tiny", "ckpt")
    r.expect_error("out_replaces_checkpoint_weights", ["run", gpt2, "--input-ids", "1,2", "--out",
                                                       os.path.join(gpt2, "model.safetensors")], "the checkpoint's own")
    r.expect_error("out_replaces_checkpoint_config", ["run", gpt2, "--input-ids", "1,2", "--out",
                                                      os.path.join(gpt2, "config.json")], "the checkpoint's own")
    r.expect_error("dump_replaces_checkpoint_weights", ["run", gpt2, "--input-ids", "1,2", "--dump",
                                                        os.path.join(gpt2, "model.safetensors")], "the checkpoint's own")
    r.expect_error("out_dev_null_replaced_by_file", ["run", gpt2, "--input-ids", "1,2", "--out", "/dev/null"], "is a device")
    r.record("dev_null_still_a_device", stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null")
    r.expect_error("out_folder_says_success", ["run", gpt2, "--input-ids", "1,2", "--out", ctx.work], "is a folder")
    r.expect_error("out_missing_folder", ["run", gpt2, "--input-ids", "1,2", "--out", ctx.path("no/such/dir/s.h5")],
                   "does not exist")
    os.mkfifo(ctx.path("out.fifo"))
    r.expect_error("out_fifo", ["run", gpt2, "--input-ids", "1,2", "--dump", ctx.path("out.fifo")], "FIFO", timeout=20)

    # A full disk (RLIMIT_FSIZE): a clear error, no crash at exit, the old file intact, no leftovers.
    good = ctx.path("good.h5")
    code, _, err, _ = r.run(["run", demo, "--prompt-file", ctx.demo_prompt, "--ablate", "0.0", "--out", good])
    r.record("good_session_written", code == 0, err.strip()[:200])
    shutil.copyfile(good, ctx.path("keep.h5"))
    r.expect_error("full_disk_run_out_segfault_at_exit", ["run", demo, "--prompt-file", ctx.demo_prompt, "--out", "keep.h5"],
                   "write failed \\(disk full\\?\\)", preexec=limits(file_bytes=20000))
    r.expect_error("full_disk_dump", ["run", gpt2, "--input-ids", ",".join(["1"] * 60), "--dump", "keep.h5"],
                   "write failed", preexec=limits(file_bytes=5000))
    code, _, _, _ = r.run(["export", good, "--layer", "0", "--head", "0", "--out", "old.pdf"])
    for ext in ("pdf", "svg", "png"):
        shutil.copyfile(ctx.path("old.pdf"), ctx.path("fig." + ext))
        r.expect_error(f"full_disk_export_{ext}_destroys_figure", ["export", good, "--layer", "0", "--head", "1",
                                                                  "--out", "fig." + ext], "write failed \\(disk full\\?\\)",
                       preexec=limits(file_bytes=6000))
    r.expect_error("export_dpi_zero_blames_folder", ["export", good, "--out", "x.png", "--dpi", "0"],
                   "--dpi 0: must be from 10 to 2400")
    r.expect_error("export_width_nan", ["export", good, "--out", "x.png", "--width-mm", "nan"], "--width-mm nan: must be")
    r.expect_error("export_diff_ablation_not_a_number", ["export", good, "--out", "x.png", "--diff-ablation", "abc"],
                   "--diff-ablation abc: not an integer")
    r.expect_error("export_diff_ablation_missing", ["export", good, "--out", "x.png", "--diff-ablation", "7"],
                   "--diff-ablation 7: must be from 0 to 0")
    r.expect_error("export_unknown_format", ["export", good, "--out", "x.bmp"], "unknown figure format")
    os.makedirs(ctx.path("mine"))
    with open(ctx.path("mine/notes.txt"), "w") as f:
        f.write("my notes\n")
    r.expect_error("train_out_replaces_a_users_folder", ["train", "--arch", "transformer", "--steps", "1", "--out",
                                                         ctx.path("mine")], "is not a checkpoint folder written by train")


# -- sessions from strangers ---------------------------------------------------------------------------

def sessions(ctx):
    import hostile_sessions
    r = ctx.runner
    good = ctx.path("good.h5")
    code, _, err, _ = r.run(["run", ctx.demo, "--prompt-file", ctx.demo_prompt, "--ablate", "0.0", "--out", good])
    if code != 0:
        r.record("good_session_written", False, err.strip()[:200])
        return
    bad = hostile_sessions.make_all(good, ctx.work)
    expected = {
        "external_storage": "keeps its data in an external file",
        "external_link": "link to another file",
        "soft_link": "soft link",
        "virtual_dataset": "virtual dataset",
        "unknown_filter": "compression filter \\(32000\\)",
        "heads_1000": "layer 0 .*1000 heads|is not \\[1000,",
        "heads_negative": "layer 0 -3 heads",
        "layer_name_overflow": "layer_99999999999 names no layer",
        "schema_negative": "schema version -1: damaged session",
        "schema_newer": "newer AttnScope \\(session schema 99",
        "topk_bit_flip": "holds the probability 3.4",
        "empty_text": "holds 0 strings, not one",
        "empty_config": "config_json' holds 0 strings",
        "ablation_not_numbered": "/ablations holds 'abc', not a numbered ablation",
        "map_shape_mismatch": "/mixing/layer_000/attn is not \\[",
        "mixer_unknown": "layer_000/xyz names no mixer of layer 0",
        "mixer_table_short": "mixer tables disagree in length",
        "mixer_layer_backwards": "mixer 1 belongs to layer 0",
        "head_kinds_trailing_comma": "gives its heads' kinds as '1:mamba2_ssd,'",
        "head_kinds_no_head": "gives its heads' kinds as '9:mamba2_ssd'",
        "head_kinds_bad_name": "gives its heads' kinds as '1:<script>'",
        "head_kinds_repeated": "gives its heads' kinds as '2:a,2:b'",
        "head_kinds_too_many": "mixer tables disagree in length",
        "truncated": "truncated",
    }
    for name, message in expected.items():
        r.expect_error(f"session_{name}[show]", ["show", bad[name]], message)
        r.expect_error(f"session_{name}[export]", ["export", bad[name], "--out", "x.pdf"], message)
    # A well-formed head kind (a replaced head) is read, not refused.
    r.expect_success("session_head_kinds_valid[show]", ["show", bad["head_kinds_valid"]])
    # L = 30000 declared in a few MB: refused before 7 GB of reading and a 3.6 GB image.
    r.expect_success("session_sparse_30000[show]", ["show", bad["sparse_30000"]])
    r.expect_error("session_sparse_30000_segfault_in_render", ["export", bad["sparse_30000"], "--out", "x.png"],
                   "30000 x 30000 .*at most")
    r.expect_error("session_sparse_60000_bad_alloc", ["export", bad["sparse_60000"], "--out", "x.png"],
                   "60000 x 60000 .*at most")
    # Found by mutating a real session: HDF5 1.10 itself crashes on one and loops forever on the
    # other. The helper process takes the blow; the command reports a damaged file.
    data = os.path.join(ctx.root, "tests", "robustness", "data")
    for command in (["show"], ["export", "--out", "x.pdf"]):
        r.expect_error(f"session_crashes_hdf5[{command[0]}]", [command[0], os.path.join(data, "hdf5_segfaults.h5")] + command[1:],
                       # its crash came from a string reference past its collection, now refused before HDF5 reads it
                       "damaged session: (its structure crashes the HDF5 library|a string at byte 1024 refers to object 14417922)")
        # The mutation that makes HDF5 loop also breaks a string reference, which the check now sees first.
        r.expect_error(f"session_hangs_hdf5[{command[0]}]", [command[0], os.path.join(data, "hdf5_loops.h5")] + command[1:],
                       "damaged session: (reading its structure does not finish|a string at byte 9324 refers to object 37)",
                       env={"ATTNSCOPE_SESSION_CHECK_MS": "3000"})
    # Found by fuzz_session_reader, each a read past one of HDF5 1.10's buffers: a string object
    # claiming 4352 bytes in a 4096-byte global heap, a map whose chunks are (10241, 4, 4), and
    # a token string referring to object 8704 of a collection of 52, and an attribute message whose
    # name, type and shape claim more bytes than the message has.
    for name, message in (("heap_overread", "claims more bytes than its global heap collection holds"),
                          ("chunk_overread", "chunk layout is not one AttnScope writes"),
                          ("heap_reference", "refers to object 8704 of the global heap collection at byte 2048"),
                          ("attribute_overread", "the object header at byte 1112 has an attribute whose name, type and shape run past its message")):
        for command in (["show"], ["export", "--out", "x.pdf"]):
            r.expect_error(f"session_{name}[{command[0]}]",
                           [command[0], os.path.join(data, f"hdf5_{name}.h5")] + command[1:], message)
    os.mkfifo(ctx.path("session.fifo"))
    r.expect_error("session_fifo_hangs", ["show", ctx.path("session.fifo")], "FIFO", timeout=20)
    r.expect_error("session_missing", ["show", ctx.path("none.h5")], "no such (session )?file")
    with open(ctx.path("plain.h5"), "w") as f:
        f.write("not hdf5")
    r.expect_error("session_not_hdf5", ["show", ctx.path("plain.h5")], "not an HDF5 file")


# -- memory: estimates before allocating, and clean failures under hard limits ------------------------

def memory(ctx):
    r = ctx.runner
    mamba = os.path.join(ctx.fixtures, "mamba-tiny")
    ids = ",".join(str(i % 90) for i in range(6000))
    with open(ctx.path("ids.txt"), "w") as f:
        f.write(ids)
    # Every per-channel map stored (a session by default keeps Mamba-1 factors, which fit).
    r.expect_error("no_position_limit_allocates_past_memory",
                   ["run", mamba, "--input-ids", ids, "--out", "big.h5", "--store-maps", "all"],
                   "needs about .* of memory but only .* is available: use a shorter prompt",
                   env={"ATTNSCOPE_MEMORY_LIMIT": str(200 * 1000 * 1000)})
    r.expect_error("weights_larger_than_memory", ["run", ctx.demo, "--prompt", "hi"], "loading .* needs about",
                   env={"ATTNSCOPE_MEMORY_LIMIT": "1000"})
    # Hard address-space limits at several levels: whatever fails, it fails in one line.
    with open(ctx.demo_prompt) as f:
        long_prompt = (f.read() + " ") * 6
    with open(ctx.path("long.txt"), "w") as f:
        f.write(long_prompt)
    for gb in (1.0, 1.2, 1.5, 2.0, 3.0):
        name = f"rlimit_as_{gb}gb_bad_alloc_in_writer"
        code, out, err, _ = r.run(["run", ctx.demo, "--prompt-file", ctx.path("long.txt"), "--out", "mem.h5"],
                                  preexec=limits(address_bytes=int(gb * 2 ** 30)))
        lines = [l for l in err.splitlines() if l.strip()]
        ok = code == 0 or (code in (1, 2) and len(lines) == 1)
        leftovers = [p for p in os.listdir(ctx.work) if ".partial" in p]
        r.record(name, ok and not leftovers, f"exit {code}: {err.strip()[:200]} {leftovers or ''}")


# -- signals: temp files removed, stale ones of dead processes cleaned at the next write -----------------

def slow_session_run(ctx, target):
    """`run --out` on the tiny Mamba-1 fixture with 2500 tokens and every per-channel map
    stored: seconds of computing and writing, all the while the session's temp file sits
    beside the target."""
    ids = ",".join(str(i % 90) for i in range(2500))
    return subprocess.Popen([ctx.app, "run", os.path.join(ctx.fixtures, "mamba-tiny"), "--input-ids", ids, "--out", target,
                             "--store-maps", "all"],
                            cwd=ctx.work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def partials(ctx, prefix):
    return [f for f in os.listdir(ctx.work) if f.startswith(prefix + ".partial-")]


def wait_for_partial(ctx, prefix, seconds=10):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if partials(ctx, prefix):
            return True
        time.sleep(0.05)
    return False


def signals(ctx):
    r = ctx.runner
    # At several points of the write: just after the temp file appears, during the maps, late.
    for sig, delay in ((signal.SIGINT, 0.0), (signal.SIGTERM, 1.0), (signal.SIGHUP, 3.0)):
        name = f"signal-{sig.name}.h5"
        p = slow_session_run(ctx, ctx.path(name))
        writing = wait_for_partial(ctx, name)
        time.sleep(delay)
        p.send_signal(sig)
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            r.record(f"{sig.name}_ends_the_run", False, "did not stop")
            continue
        left = partials(ctx, name)
        r.record(f"{sig.name}_leaves_partial_files", writing and not left and not os.path.exists(ctx.path(name)),
                 f"temp seen while writing: {writing}; exit {p.returncode}; left {left}")
    # kill -9 cannot be caught: the next write beside the same target removes the dead process's file.
    name = "killed.h5"
    p = slow_session_run(ctx, ctx.path(name))
    wait_for_partial(ctx, name)
    p.kill()
    p.wait()
    stale = partials(ctx, name)
    code, _, err, _ = r.run(["run", ctx.demo, "--prompt", "hi", "--out", name])
    after = partials(ctx, name)
    r.record("kill9_partial_removed_at_next_write", bool(stale) and not after and code == 0,
             f"before {stale}, after {after}, exit {code} {err.strip()[:120]}")
    # A live process's temp file is never taken for stale.
    alive = ctx.path("alive.h5.partial-1")  # pid 1 is always alive
    with open(alive, "w") as f:
        f.write("x")
    r.run(["run", ctx.demo, "--prompt", "hi", "--out", ctx.path("alive.h5")])
    r.record("live_process_partial_kept", os.path.exists(alive), alive)
    os.remove(alive)


GROUPS = {"configs": configs, "checkpoints": checkpoints, "prompts": prompts, "outputs": outputs,
          "sessions": sessions, "memory": memory, "signals": signals}


def main():
    app, root, group = sys.argv[1:4]
    ctx = Context(os.path.abspath(app), os.path.abspath(root))
    try:
        GROUPS[group](ctx)
        ok = ctx.runner.report()
    finally:
        shutil.rmtree(ctx.work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
