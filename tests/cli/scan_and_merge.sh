#!/usr/bin/env bash
# attnscope scan on the bundled Transformer demo: the CSV has the documented
# header and an intact row; a scan split into shards and merged has the same
# rows as the whole scan; bad arguments give one clear message.
set -euo pipefail
app=$1 root=$2
model=$root/resources/models/transformer
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Every head of the demo, from its config (the demo's shape may change when it is retrained).
heads=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["num_hidden_layers"]*c["num_attention_heads"])' "$model/config.json")

"$app" scan "$model" --task mqar --examples 12 --random 2 --keep 1:0+1 --csv "$work/full.csv" \
  --out "$work/scan.h5" --figure "$work/scan.svg" --quiet > "$work/table.txt"
head -n 1 "$work/full.csv" | grep -qx 'layer,head,mode,accuracy,gather_score,aggregate_score'
grep -q '^-1,-1,none,' "$work/full.csv"
grep -q '^1,-1,keep:0+1,' "$work/full.csv"
test "$(grep -c ',random,' "$work/full.csv")" -eq 2
test "$(grep -c ',zero,' "$work/full.csv")" -eq "$heads"
grep -q 'intact accuracy' "$work/table.txt"
head -n 1 "$work/table.txt" | grep -q 'writes$'   # how much each head writes at the final position
grep -q 'zeroing the top aggregate head: ' "$work/table.txt"
grep -q "every other scanned head zeroed: mean drop .* over $((heads - 1)) heads" "$work/table.txt"
# A malformed keep set is refused, not half-read.
if "$app" scan "$model" --task mqar --examples 2 --keep '1:0+1;1:2' > /dev/null 2> "$work/err.txt"; then exit 1; fi
grep -q 'expected LAYER:HEAD+HEAD' "$work/err.txt"

# The figure is an SVG with the three panels; the session holds the scan's
# tables beside the first example's maps, and every zero row is in it.
grep -q '<svg' "$work/scan.svg"
for caption in 'head zeroed' 'aggregate score' 'gather score'; do grep -q "$caption" "$work/scan.svg"; done
"$app" show "$work/scan.h5" --json > "$work/scan.json"
python3 - "$work/scan.json" "$work/full.csv" "$heads" <<'PY'
import csv, json, sys
s = json.load(open(sys.argv[1]))
for name in ("gather_score", "aggregate_score", "final_position_write", "scan_accuracy_zero", "scan_accuracy_mean",
             "row_entropy", "top1_mass", "transition_sharpness"):
    assert name in s["metrics"], (name, s["metrics"])
assert len(s["layers"]) == 2, s["layers"]
rows = [r for r in csv.DictReader(open(sys.argv[2])) if r["mode"] == "zero"]
assert len(rows) == int(sys.argv[3]), rows
PY

for i in 0 1 2; do
  "$app" scan "$model" --task mqar --examples 12 --random 2 --keep 1:0+1 --shard $i/3 --csv "$work/part$i.csv" --quiet > /dev/null
done
"$app" merge "$work/part0.csv" "$work/part1.csv" "$work/part2.csv" --csv "$work/merged.csv" --figure "$work/merged.svg" > /dev/null
grep -q 'aggregate score' "$work/merged.svg"
diff <(sort "$work/full.csv") <(sort "$work/merged.csv")

# Clear errors, nothing written.
expect_error() {
  local pattern=$1; shift
  if out=$("$app" "$@" 2>&1); then echo "expected failure: $*"; exit 1; fi
  echo "$out" | grep -q -- "$pattern" || { echo "message for '$*' was: $out"; exit 1; }
}
expect_error "unknown task 'sudoku'" scan "$model" --task sudoku --examples 2
expect_error "expected i/N" scan "$model" --task mqar --shard 3/3
expect_error "expected i/N" scan "$model" --task mqar --shard 1/3x
expect_error "must be a number" scan "$model" --task mqar:6x
expect_error "need the whole scan" scan "$model" --task mqar --shard 0/2 --out "$work/bad.h5"
expect_error "is an SVG" scan "$model" --task mqar --figure "$work/bad.png"
test ! -e "$work/bad.h5" && test ! -e "$work/bad.png"
expect_error "in both" merge "$work/part0.csv" "$work/part0.csv" --csv "$work/bad.csv"
expect_error "intact rows" merge "$work/part1.csv" --csv "$work/bad.csv"
test ! -e "$work/bad.csv"
echo "scan and merge: ok"
