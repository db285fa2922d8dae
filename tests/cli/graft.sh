#!/usr/bin/env bash
# attnscope graft on the bundled Mamba-2 demo: one head replaced by attention
# (a few steps), and the grafted checkpoint through every command: inspect
# names the head, run's dump gives it a softmax map (rows sum to one) and a
# session, show, ablation, sweep, patching, scan, a second graft, the SSM
# control, export; bad arguments give one clear message and write nothing.
set -euo pipefail
app=$1 root=$2 gui=${4:-OFF}
model=$root/resources/models/mamba2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
grafted=$work/grafted
clean="Pairs: river 3 apple 7 stone 1. Queries: apple"
corrupted="Pairs: river 3 apple 4 stone 1. Queries: apple"

"$app" graft "$model" --head 2.3 --task mqar:6 --steps 5 --batch 4 --examples 20 --out "$grafted" > "$work/graft.txt"
cat "$work/graft.txt"
grep -q '^replacing head 2.3 of' "$work/graft.txt"
grep -qE '^mqar:6 +[0-9.]+% +[0-9.]+% +[0-9.]+%$' "$work/graft.txt"
for f in config.json model.safetensors tokenizer.json README.md; do test -s "$grafted/$f"; done
grep -q 'attnscope graft' "$grafted/README.md"

"$app" inspect "$grafted" > "$work/inspect.txt"
grep -q 'attnscope_hybrid' "$work/inspect.txt"
grep -qE 'layer 2 +8 +mamba2 \(SSD; head 3 softmax attention\)' "$work/inspect.txt"

"$app" run "$grafted" --prompt "$clean" --dump "$work/dump.safetensors" --out "$work/run.h5" --ablate 2.3 > "$work/run.txt"
grep -q 'wrote session' "$work/run.txt"
python3 - "$work/dump.safetensors" <<'PY'
import json, struct, sys
raw = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
e = header["mixing.2"]
heads, L, _ = e["shape"]
a, b = e["data_offsets"]
values = struct.unpack("<%df" % (heads * L * L), raw[8 + n + a:8 + n + b])
row = lambda h, i: values[(h * L + i) * L:(h * L + i + 1) * L]
for i in range(L):
    assert abs(sum(row(3, i)) - 1) < 1e-5, (i, sum(row(3, i)))  # the grafted head: softmax rows
    assert all(v == 0 for v in row(3, i)[i + 1:])                # causal
assert any(abs(sum(row(4, i)) - 1) > 1e-3 for i in range(L))     # an SSM head: not normalised
PY
"$app" show "$work/run.h5" --json > "$work/show.json"
python3 - "$work/show.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["family"] == "attnscope_hybrid", s["family"]
assert [l["head_kinds"] for l in s["layers"]] == [{}, {}, {"3": "softmax_attention"}, {}], s["layers"]
PY

"$app" sweep "$grafted" --prompt "$clean" --csv "$work/sweep.csv" --quiet > /dev/null
test "$(($(wc -l < "$work/sweep.csv") - 1))" -eq 32
grep -q '^2,3,' "$work/sweep.csv"
"$app" patch "$grafted" --clean "$clean" --corrupted "$corrupted" --csv "$work/patch.csv" --quiet > /dev/null
test "$(($(wc -l < "$work/patch.csv") - 1))" -eq 32
"$app" scan "$grafted" --task mqar:6 --examples 10 --heads top:2 --random 1 --quiet > "$work/scan.txt"
grep -q 'intact accuracy' "$work/scan.txt"

# A second head of the grafted checkpoint, and the control that fine-tunes an SSM head.
"$app" graft "$grafted" --head 1.0 --task mqar:6 --steps 2 --batch 4 --examples 10 --out "$work/twice" --quiet > /dev/null
"$app" inspect "$work/twice" | grep -qE 'layer 1 +8 +mamba2 \(SSD; head 0 softmax attention\)'
"$app" graft "$model" --head random --with ssm --task mqar:6 --steps 2 --batch 4 --examples 10 --out "$work/control" > "$work/control.txt"
grep -qE '^fine-tuning head [0-3]\.[0-7] of .* \(drawn at random\)$' "$work/control.txt"

if [ "$gui" = "ON" ]; then
  "$app" export "$work/run.h5" --layer 2 --head 3 --out "$work/head.svg"
  grep -q '<svg' "$work/head.svg"
fi

# Refusals: one clear line, nothing written.
source "$(dirname "$0")/refuse.sh"
refuse graft 'has no layer 9' "$model" --head 9.0 --task mqar:6 --out "$work/refused"
refuse graft 'has no head 8' "$model" --head 1.8 --task mqar:6 --out "$work/refused"
refuse graft '--head takes LAYER.HEAD' "$model" --head two --task mqar:6 --out "$work/refused"
refuse graft '--with takes attention' "$model" --head 1.0 --with mlp --task mqar:6 --out "$work/refused"
refuse graft 'give --task' "$model" --head 1.0 --out "$work/refused"
refuse graft 'head replacement takes a Mamba-2' "$root/resources/models/transformer" --head 0.0 --task mqar:6 --out "$work/refused"
refuse graft 'is attention already' "$grafted" --head 2.3 --task mqar:6 --out "$work/refused"
mkdir "$work/mine" && echo notes > "$work/mine/notes.txt"
if "$app" graft "$model" --head 1.0 --task mqar:6 --steps 1 --out "$work/mine" 2> "$work/err.txt"; then exit 1; fi
grep -q 'nothing was changed' "$work/err.txt"
test -f "$work/mine/notes.txt"
echo "graft: all checks passed"
