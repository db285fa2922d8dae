"""Sessions crafted from a good one (or from scratch) the ways a stranger's
file can be bad: links out of the file, data stored elsewhere, metadata
that disagrees with the data, sizes that would exhaust memory. Written with
h5py, independently of AttnScope's own writer."""
import os
import shutil

import h5py
import numpy as np


def _variant(good, folder, name, change):
    path = os.path.join(folder, name + ".h5")
    shutil.copyfile(good, path)
    with h5py.File(path, "r+") as f:
        change(f, folder)
    return path


# Schema 2: one dataset per mixer; the demo Transformer's layer 0 has one, "attn".
MAP = "/mixing/layer_000/attn"


def _replace_map(f, make):
    """Replaces the map at MAP by what `make(f, shape, dtype)` creates, keeping its attributes."""
    old = f[MAP]
    shape, dtype, attrs = old.shape, old.dtype, dict(old.attrs)
    del f[MAP]
    new = make(f, shape, dtype)
    if new is not None:
        for k, v in attrs.items():
            new.attrs[k] = v


def _other_file(folder, shape, dtype):
    path = os.path.join(folder, "other.h5")
    with h5py.File(path, "w") as o:
        o.create_dataset("data", data=np.full(shape, 0.5, dtype=dtype))
    return path


def external_storage(f, folder):
    def make(f, shape, dtype):
        size = int(np.prod(shape)) * np.dtype(dtype).itemsize
        return f.create_dataset(MAP, shape=shape, dtype=dtype, external=[("/etc/passwd", 0, size)])
    _replace_map(f, make)


def external_link(f, folder):
    def make(f, shape, dtype):
        _other_file(folder, shape, dtype)
        f[MAP] = h5py.ExternalLink("other.h5", "/data")
    _replace_map(f, make)


def soft_link(f, folder):
    f["/mixing/layer_000/soft"] = h5py.SoftLink(MAP)


def virtual_dataset(f, folder):
    def make(f, shape, dtype):
        source = h5py.VirtualSource(_other_file(folder, shape, dtype), "data", shape=shape)
        layout = h5py.VirtualLayout(shape=shape, dtype=dtype)
        layout[...] = source
        return f.create_virtual_dataset(MAP, layout)
    _replace_map(f, make)


def unknown_filter(f, folder):
    def make(f, shape, dtype):
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk((1, shape[1], shape[2]))
        dcpl.set_filter(32000, h5py.h5z.FLAG_OPTIONAL)  # a filter id no session uses
        space = h5py.h5s.create_simple(shape)
        h5py.h5d.create(f.id, MAP.encode(), h5py.h5t.py_create(dtype), space, dcpl)
        return f[MAP]
    _replace_map(f, make)


def heads(count):
    def change(f, folder):
        f["/model/mixer_heads"][0] = count
    return change


def layer_name_overflow(f, folder):
    f.move("/mixing/layer_000", "/mixing/layer_99999999999")


def mixer_unknown(f, folder):
    f.move(MAP, "/mixing/layer_000/xyz")


def mixer_table_short(f, folder):
    heads = f["/model/mixer_heads"][...]
    del f["/model/mixer_heads"]
    f["/model"].create_dataset("mixer_heads", data=heads[:-1])


def mixer_layer_backwards(f, folder):
    f["/model/mixer_layers"][0] = 1
    f["/model/mixer_layers"][1] = 0


def head_kinds(*entries):
    """mixer_head_kinds (heads of another kind than their mixer) with these entries, one per mixer."""
    def change(f, folder):
        count = len(f["/model/mixer_heads"])
        values = list(entries) + [""] * (count - len(entries))
        f["/model"].create_dataset("mixer_head_kinds", data=np.array(values[:count] if len(entries) <= count else values,
                                                                     dtype=object), dtype=h5py.string_dtype())
    return change


def schema(version):
    def change(f, folder):
        f.attrs["schema_version"] = np.int64(version)
    return change


def topk_bit_flip(f, folder):
    f["/outputs/topk_probs"][0] = np.float32(3.4e38)


def empty_text(f, folder):
    for name in ("text", "text_bytes"):
        if name in f["/prompt"]:
            del f["/prompt/" + name]
    f["/prompt"].create_dataset("text", shape=(0,), dtype=h5py.string_dtype())


def empty_config(f, folder):
    del f["/model/config_json"]
    f["/model"].create_dataset("config_json", shape=(0,), dtype=h5py.string_dtype())


def ablation_named(name):
    def change(f, folder):
        f.move("/ablations/0", "/ablations/" + name)
    return change


def map_shape_mismatch(f, folder):
    def make(f, shape, dtype):
        return f.create_dataset(MAP, data=np.zeros((shape[0], shape[1] - 1, shape[2]), dtype=dtype))
    _replace_map(f, make)


def sparse_session(folder, name, length, heads=4):
    """A whole session declaring a prompt of `length` tokens whose map is chunked and never
    written: megabytes on disk, length^2 x heads floats when read. Written in schema 1 (one
    map per layer, per-layer tables), which AttnScope still reads."""
    path = os.path.join(folder, name + ".h5")
    text = h5py.string_dtype()
    with h5py.File(path, "w") as f:
        f.attrs["format"] = "attnscope-session"
        f.attrs["schema_version"] = np.int64(1)
        f.attrs["app_version"] = "0.1.0"
        f.attrs["created"] = "2026-12-01T00:00:00Z"
        m = f.create_group("model")
        for k, v in {"family": "gpt2", "source": "nowhere", "dtype": "float32", "device": "cpu"}.items():
            m.attrs[k] = v
        m.attrs["num_layers"] = np.int64(1)
        m.create_dataset("config_json", data=np.array(["{}"], dtype=object), dtype=text)
        m.create_dataset("layer_kinds", data=np.array(["softmax_attention"], dtype=object), dtype=text)
        m.create_dataset("layer_descriptions", data=np.array(["attention"], dtype=object), dtype=text)
        m.create_dataset("layer_heads", data=np.array([heads], dtype=np.int64))
        p = f.create_group("prompt")
        p.create_dataset("text", data=np.array(["x" * length], dtype=object), dtype=text)
        p.create_dataset("token_ids", data=np.zeros(length, dtype=np.int64))
        p.create_dataset("tokens", data=np.array(["x"] * length, dtype=object), dtype=text)
        maps = f.create_group("mixing").create_dataset("layer_000", shape=(heads, length, length), dtype=np.float16,
                                                        chunks=(1, 256, 256))
        for k, v in {"kind": "softmax_attention", "description": "attention", "view": "direct"}.items():
            maps.attrs[k] = v
        maps.attrs["heads"] = np.int64(heads)
        maps.attrs["channels_per_head"] = np.int64(1)
        o = f.create_group("outputs")
        o.create_dataset("topk_ids", data=np.array([0], dtype=np.int64))
        o.create_dataset("topk_probs", data=np.array([1.0], dtype=np.float32))
        o.create_dataset("topk_tokens", data=np.array(["x"], dtype=object), dtype=text)
        o.attrs["target_id"] = np.int64(0)
        o.attrs["target_logprob"] = np.float64(0.0)
    return path


def truncated(good, folder):
    path = os.path.join(folder, "truncated.h5")
    with open(good, "rb") as f:
        data = f.read()
    with open(path, "wb") as f:
        f.write(data[:len(data) // 2])
    return path


def make_all(good, folder):
    """name -> path of every hostile session."""
    variants = {
        "external_storage": external_storage, "external_link": external_link, "soft_link": soft_link,
        "virtual_dataset": virtual_dataset, "unknown_filter": unknown_filter, "heads_1000": heads(1000),
        "heads_negative": heads(-3), "layer_name_overflow": layer_name_overflow, "schema_negative": schema(-1),
        "schema_newer": schema(99), "topk_bit_flip": topk_bit_flip, "empty_text": empty_text,
        "empty_config": empty_config, "ablation_not_numbered": ablation_named("abc"),
        "map_shape_mismatch": map_shape_mismatch, "mixer_unknown": mixer_unknown,
        "mixer_table_short": mixer_table_short, "mixer_layer_backwards": mixer_layer_backwards,
        "head_kinds_trailing_comma": head_kinds("1:mamba2_ssd,"), "head_kinds_no_head": head_kinds("9:mamba2_ssd"),
        "head_kinds_bad_name": head_kinds("1:<script>"), "head_kinds_repeated": head_kinds("2:a,2:b"),
        "head_kinds_too_many": head_kinds("", "", "1:x"), "head_kinds_valid": head_kinds("1:mamba2_ssd"),
    }
    out = {name: _variant(good, folder, name, change) for name, change in variants.items()}
    out["truncated"] = truncated(good, folder)
    out["sparse_30000"] = sparse_session(folder, "sparse_30000", 30000)
    out["sparse_60000"] = sparse_session(folder, "sparse_60000", 60000)
    return out
