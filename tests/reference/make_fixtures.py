#!/usr/bin/env python3
"""Writes the parity fixtures of tests/fixtures from the float64 reference.

    python3 tests/reference/make_fixtures.py tests/fixtures     # (re)write them
    python3 tests/reference/make_fixtures.py --check tests/fixtures
                                                     # regenerate into a temp dir, compare bytes

Needs Python 3 and numpy only. Each fixture folder gets config.json,
tokenizer.json (one token per character: char_tokenizer.py), model.safetensors (float32, or BF16/F16 for the *-bf16/*-f16 ones) and
reference.safetensors: input_ids, logits, every mixer's map `mixing.<layer>`,
and the logits with the listed heads ablated (`ablated.logits` zero,
`ablated_mean.logits`, `ablated_uniform.logits`). Everything is a function
of the fixture table in fixtures.py: the same bytes on every run."""
import argparse
import filecmp
import json
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import safetensors_np  # noqa: E402
from char_tokenizer import tokenizer_json  # noqa: E402
from fixtures import FIXTURES  # noqa: E402
from init import Weights  # noqa: E402
from prng import Stream  # noqa: E402

MAX_FIXTURE_BYTES = 300 * 1024
MODE_KEYS = {"zero": "ablated.logits", "mean": "ablated_mean.logits", "uniform": "ablated_uniform.logits"}


def rounded(weights, dtype):
    """Weights as the file stores them: (float64 values the reference computes with, file tensors)."""
    values, tensors = {}, {}
    for name, array in weights.items():
        if array.dtype.kind == "i":
            values[name], tensors[name] = array, ("I64", array.astype(np.int64))
        elif dtype == "BF16":
            bits = safetensors_np.bfloat16_bits(array)
            values[name], tensors[name] = safetensors_np.bfloat16_to_float32(bits).astype(np.float64), ("BF16", bits)
        elif dtype == "F16":
            half = array.astype(np.float16)
            values[name], tensors[name] = half.astype(np.float64), ("F16", half)
        else:
            values[name], tensors[name] = array, ("F32", array.astype(np.float32))
    return values, tensors


def generate(fixture, out_dir):
    config = fixture.config
    weights = fixture.family.make_weights(config, Weights(Stream(fixture.seed)))
    values, tensors = rounded(weights, fixture.dtype)
    if config.get("_mask_buffers"):
        # The released GPT-2 file carries each layer's causal mask; loaders must skip it.
        positions = config["n_positions"]
        mask = np.tril(np.ones((positions, positions), dtype=np.float32)).reshape(1, 1, positions, positions)
        for l in range(config["n_layer"]):
            tensors[f"h.{l}.attn.bias"] = ("F32", mask)
    ids = Stream(fixture.seed).integers("input_ids", (fixture.length,), config["vocab_size"])

    logits, maps = fixture.family.forward(config, values, ids, ("zero", {}))
    reference = {"input_ids": ("I64", ids.reshape(1, -1)), "logits": ("F32", logits[None].astype(np.float32))}
    for key, m in maps.items():
        reference["mixing." + key] = ("F32", m.astype(np.float32))
    for mode in fixture.modes:
        ablated, _ = fixture.family.forward(config, values, ids, (mode, fixture.ablate))
        change = float(np.max(np.abs(ablated - logits))) / float(np.max(np.abs(logits)))
        assert change > 1e-4, f"{fixture.name}: {mode} ablation of {fixture.ablate} changes the logits by only {change:.2g}"
        reference[MODE_KEYS[mode]] = ("F32", ablated[None].astype(np.float32))

    os.makedirs(out_dir, exist_ok=True)
    public = {k: v for k, v in config.items() if not k.startswith("_")}
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        f.write(json.dumps(public, indent=2) + "\n")
    with open(os.path.join(out_dir, "tokenizer.json"), "w") as f:
        f.write(tokenizer_json())
    safetensors_np.write(os.path.join(out_dir, "model.safetensors"), tensors, {"format": "pt"})
    safetensors_np.write(os.path.join(out_dir, "reference.safetensors"), reference, {
        "family": fixture.family.FAMILY,
        "ablated_heads": json.dumps(fixture.ablate, sort_keys=True),
        "ablation_modes": json.dumps(list(fixture.modes)),
        "weights_dtype": fixture.dtype,
        "generator": "tests/reference/make_fixtures.py",
    })
    size = sum(os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir))
    assert size < MAX_FIXTURE_BYTES, f"{fixture.name} is {size} bytes"


def write_readme(out_dir):
    lines = ["# Parity fixtures (generated)", "",
             "Written by `python3 tests/reference/make_fixtures.py tests/fixtures` from the float64 reference in",
             "`tests/reference` (see its README); do not edit by hand. ctest's `reference.fixtures_are_current`",
             "regenerates them and fails on any byte that differs.", "",
             "| fixture | family | weights | L | ablated heads | what it exercises |", "|---|---|---|---|---|---|"]
    for f in FIXTURES:
        lines.append(f"| {f.name} | {f.family.FAMILY} | {f.dtype} | {f.length} | `{json.dumps(f.ablate, sort_keys=True)}` | {f.covers} |")
    with open(os.path.join(out_dir, "README.md"), "w") as out:
        out.write("\n".join(lines) + "\n")


def generate_all(out_dir, only=None):
    os.makedirs(out_dir, exist_ok=True)
    for fixture in FIXTURES:
        if only and fixture.name not in only:
            continue
        generate(fixture, os.path.join(out_dir, fixture.name))
    write_readme(out_dir)


def compare_trees(expected, actual):
    """Paths (relative) that differ, are missing, or are extra."""
    problems = []
    for root, _, files in os.walk(expected):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), expected)
            other = os.path.join(actual, rel)
            if not os.path.exists(other):
                problems.append(f"missing in the committed fixtures: {rel}")
            elif not filecmp.cmp(os.path.join(root, name), other, shallow=False):
                problems.append(f"differs: {rel}")
    for root, _, files in os.walk(actual):
        for name in files:
            rel = os.path.relpath(os.path.join(root, name), actual)
            if not os.path.exists(os.path.join(expected, rel)):
                problems.append(f"not made by the generator: {rel}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", help="the fixtures folder (tests/fixtures)")
    parser.add_argument("--check", action="store_true", help="regenerate into a temp dir and compare with OUT")
    parser.add_argument("--only", nargs="*", help="fixture names (default: all)")
    args = parser.parse_args()
    if not args.check:
        generate_all(args.out, args.only)
        print(f"wrote {len(FIXTURES) if not args.only else len(args.only)} fixtures to {args.out}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        generate_all(tmp)
        problems = compare_trees(tmp, args.out)
    for p in problems:
        print(p)
    print("fixtures are current" if not problems else f"{len(problems)} differences: rerun make_fixtures.py")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
