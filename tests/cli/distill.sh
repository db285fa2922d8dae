#!/usr/bin/env bash
# attnscope distill on the bundled Transformer demo: the heads the scan ranks
# highest stay attention (the demo's G&A heads 0.0 and 0.3), the student
# opens in inspect, run (with a session and an ablated recurrent head),
# show, sweep and scan; the controls name their heads; bad arguments give one
# clear message and write nothing.
set -euo pipefail
app=$1 root=$2
model=$root/resources/models/transformer
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
small=(--task letters:4 --steps 3 --batch 4 --scan-examples 40 --examples 20)

"$app" distill "$model" --keep 2 "${small[@]}" --out "$work/student" > "$work/distill.txt"
cat "$work/distill.txt"
grep -qx 'kept as attention (scan): 0.0, 0.3 of 8 heads' "$work/distill.txt"
grep -qE '^letters:4 +[0-9.]+% +[0-9.]+% +[0-9.]+%$' "$work/distill.txt"
grep -q 'attnscope distill' "$work/student/README.md"

"$app" inspect "$work/student" > "$work/inspect.txt"
grep -qE 'layer 0 +4 +attention \(heads 1 and 2 mamba2 \(SSD\)\)' "$work/inspect.txt"
grep -qE 'layer 1 +4 +attention \(heads 0, 1, 2 and 3 mamba2 \(SSD\)\)' "$work/inspect.txt"
prompt=$(cat "$root/resources/prompts/demo.txt")
"$app" run "$work/student" --prompt "$prompt" --ablate 0.1 --out "$work/run.h5" > "$work/run.txt"
grep -q 'wrote session' "$work/run.txt"
"$app" show "$work/run.h5" --json > "$work/show.json"
python3 - "$work/show.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["layers"][0]["head_kinds"] == {"1": "mamba2_ssd", "2": "mamba2_ssd"}, s["layers"][0]
PY
"$app" sweep "$work/student" --prompt "$prompt" --csv "$work/sweep.csv" --quiet > /dev/null
test "$(($(wc -l < "$work/sweep.csv") - 1))" -eq 8
"$app" scan "$work/student" --task letters:4 --examples 10 --heads top:2 --random 1 --quiet | grep -q 'intact accuracy'

"$app" distill "$model" --keep 2 --select layers "${small[@]}" --out "$work/layers" --quiet | grep -qx 'kept as attention (layers): 0.0, 0.1 of 8 heads'
"$app" distill "$model" --keep 1 --select random "${small[@]}" --out "$work/random" --quiet | grep -qE '^kept as attention \(random\): [01]\.[0-3] of 8 heads$'

source "$(dirname "$0")/refuse.sh"
refuse distill 'give --keep' "$model" --task letters --out "$work/refused"
refuse distill '--keep must be 0 to 8' "$model" --keep 9 --task letters --out "$work/refused"
refuse distill '--select takes scan' "$model" --keep 1 --select best --task letters --out "$work/refused"
refuse distill 'Llama-layout Transformer' "$root/resources/models/mamba2" --keep 1 --task mqar --out "$work/refused"
refuse distill 'give --task' "$model" --keep 1 --out "$work/refused"
echo "distill: all checks passed"
