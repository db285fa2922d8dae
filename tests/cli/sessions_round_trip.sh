#!/usr/bin/env bash
# run --out writes a session, show summarises it, export renders a figure
# without a display, and --dump has the fixtures' names and shapes.
set -euo pipefail
app=$1 src=$2 fixtures=$3 gui=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
model=$src/resources/models/transformer

# inspect describes every parity fixture (each family's config dialect).
count=0
for dir in "$fixtures"/*/; do
  [ -f "$dir/config.json" ] || continue
  "$app" inspect "$dir" > "$work/inspect.txt"
  grep -q "layers" "$work/inspect.txt" || { echo "inspect $dir printed:"; cat "$work/inspect.txt"; exit 1; }
  count=$((count + 1))
done
[ "$count" -ge 5 ] || { echo "only $count fixtures found in $fixtures"; exit 1; }

"$app" run "$model" --prompt-file "$src/resources/prompts/demo.txt" --ablate 0.3 --out "$work/run.h5" | tee "$work/run.txt"
grep -q "wrote session" "$work/run.txt"
grep -q "change" "$work/run.txt"
"$app" show "$work/run.h5" --json > "$work/show.json"
python3 - "$work/show.json" "$model/config.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
config = json.load(open(sys.argv[2]))
assert s["family"] == "llama", s["family"]
assert len(s["layers"]) == config["num_hidden_layers"], s["layers"]
assert all(l["heads"] == config["num_attention_heads"] for l in s["layers"]), s["layers"]
assert len(s["ablations"]) == 1, s.get("ablations")
PY
h5dump -H "$work/run.h5" > "$work/dump.txt"
grep -q "layer_001" "$work/dump.txt"

if [ "$gui" = "ON" ]; then
  "$app" export "$work/run.h5" --layer 1 --head 0 --out "$work/fig.pdf"
  pdftoppm -r 50 -png "$work/fig.pdf" "$work/page"
  test -s "$work/page-1.png"
  "$app" export "$work/run.h5" --layer 0 --head 3 --out "$work/fig.png" --dpi 150 --width-mm 85 --height-mm 85
  python3 - "$work/fig.png" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read(24)
w, h = struct.unpack(">II", data[16:24])
expected = round(85 / 25.4 * 150)
assert abs(w - expected) <= 1 and abs(h - expected) <= 1, (w, h, expected)
PY
fi

# Factors instead of maps (--store-maps none): the documented formulas
# (docs/session-format.md) recompute, with numpy alone, the maps a
# --store-maps all session stores; show and export read it like any session.
prompt="$src/resources/prompts/demo.txt"
"$app" run "$model" --prompt-file "$prompt" --out "$work/factors.h5" --store-maps none > /dev/null
"$app" run "$model" --prompt-file "$prompt" --out "$work/maps.h5" --store-maps all > /dev/null
"$app" run "$src/resources/models/mamba2" --prompt-file "$prompt" --out "$work/ssd-factors.h5" --store-maps none > /dev/null
"$app" run "$src/resources/models/mamba2" --prompt-file "$prompt" --out "$work/ssd-maps.h5" --store-maps all > /dev/null
"${ATTNSCOPE_PYTHON:-python3}" - "$work" <<'PY'
import sys
import h5py, numpy as np
work = sys.argv[1]
def softmax_map(g, h):
    q, k = g["q"][h].astype(np.float64), g["k"][h * g["k"].shape[0] // g["q"].shape[0]].astype(np.float64)
    s = g.attrs["scale"] * q @ k.T
    s[np.triu_indices_from(s, 1)] = -np.inf
    p = np.exp(s - s.max(1, keepdims=True))
    return p / p.sum(1, keepdims=True)
def ssd_map(g, h):
    grp = h * g["C"].shape[0] // g["log_decay_cumsum"].shape[0]
    cum, w = g["log_decay_cumsum"][h], g["weight"][h].astype(np.float64)
    m = (g["C"][grp].astype(np.float64) @ g["B"][grp].astype(np.float64).T) * np.exp(cum[:, None] - cum[None, :]) * w[None, :]
    return np.tril(m)
for name, mixer, fn in (("", "attn", softmax_map), ("ssd-", "ssm", ssd_map)):
    with h5py.File(f"{work}/{name}factors.h5") as f, h5py.File(f"{work}/{name}maps.h5") as m:
        assert f.attrs["schema_version"] == 3 and m.attrs["schema_version"] == 3
        assert "mixing" not in f, list(f)
        layers = sorted(f["factors"])
        assert layers and "overview" in f
        for layer in layers:
            g = f["factors"][layer][mixer]
            stored = m["mixing"][layer][mixer][()].astype(np.float64)
            for h in range(stored.shape[0]):
                err = np.abs(fn(g, h) - stored[h]).max() / np.abs(stored[h]).max()
                assert err < 2e-3, (name, layer, h, err)
print("factor maps recomputed with numpy: ok")
PY
"$app" show "$work/factors.h5" > "$work/show-factors.txt"
grep -q "layer" "$work/show-factors.txt"
if [ "$gui" = "ON" ]; then
  "$app" export "$work/factors.h5" --layer 1 --head 3 --out "$work/factors.pdf" > /dev/null
  "$app" export "$work/maps.h5" --layer 1 --head 3 --out "$work/maps.pdf" > /dev/null
  [ "$(pdftotext "$work/factors.pdf" -)" = "$(pdftotext "$work/maps.pdf" -)" ]
fi
"$app" run "$model" --prompt-file "$prompt" --out "$work/bad.h5" --store-maps some 2> "$work/bad.txt" && exit 1
grep -q "use all, budget or none" "$work/bad.txt"
[ ! -e "$work/bad.h5" ]

for family in mamba-tiny mamba2-tiny; do
  "$app" run "$fixtures/$family" --input-ids 5,17,3,9 --dump "$work/$family.safetensors" > /dev/null
  python3 - "$work/$family.safetensors" <<'PY'
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
assert header["logits"]["shape"] == [1, 4, 96], header["logits"]
assert header["mixing.0"]["shape"][1:] == [4, 4], header["mixing.0"]
PY
done
echo "cli sessions round trip: ok"
