#!/usr/bin/env python3
"""Runs this reference on fixtures made by other hands (same layout:
config.json, model.safetensors, reference.safetensors) and prints how far
its logits, maps and ablated logits are from theirs, relative to the largest
magnitude. A second opinion on the reference itself:

    python3 tests/reference/crosscheck.py FIXTURES_DIR [FIXTURES_DIR ...]
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import safetensors_np  # noqa: E402
from families import family_for  # noqa: E402


def relative(a, b):
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) / max(float(np.max(np.abs(b))), 1e-300)


def check(folder):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    family = family_for(config)
    weights, _ = safetensors_np.read(os.path.join(folder, "model.safetensors"))
    ref, meta = safetensors_np.read(os.path.join(folder, "reference.safetensors"))
    ids = ref["input_ids"][0]
    logits, maps = family.forward(config, weights, ids, ("zero", {}))
    worst = {"logits": relative(logits, ref["logits"][0])}
    for key, m in maps.items():
        if "mixing." + key in ref:
            worst["mixing." + key] = relative(m, ref["mixing." + key])
        else:
            worst["mixing." + key + " (not in their file)"] = float("nan")
    ablate = json.loads(meta.get("ablated_heads", "{}"))
    if ablate and "ablated.logits" in ref:
        ablated, _ = family.forward(config, weights, ids, ("zero", {k: list(v) for k, v in ablate.items()}))
        worst["ablated.logits"] = relative(ablated, ref["ablated.logits"][0])
    return worst


def main():
    failed = False
    for root in sys.argv[1:]:
        for name in sorted(os.listdir(root)):
            folder = os.path.join(root, name)
            if not os.path.isfile(os.path.join(folder, "reference.safetensors")):
                continue
            try:
                worst = check(folder)
            except (KeyError, ValueError) as e:
                print(f"{name}: not covered by this reference ({e})")
                continue
            top = max(v for v in worst.values() if v == v)
            failed |= top > 1e-6
            print(f"{name}: worst {top:.2e}  " + "  ".join(f"{k} {v:.1e}" for k, v in worst.items()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
