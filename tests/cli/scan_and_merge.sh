#!/usr/bin/env bash
# attnscope scan on the bundled Transformer demo: the CSV has the documented
# header and an intact row; a scan split into shards and merged is byte for
# byte the whole scan, whatever order the parts come in; merge refuses parts
# that are missing, cut, torn, doubled or of another scan (nothing written);
# a stopped scan resumes from its progress file; bad arguments give one
# clear message.
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
  "$app" scan "$model" --task mqar --examples 12 --random 2 --keep 1:0+1 --shard $i/3 --csv "$work/part$i.csv" --quiet > /dev/null 2> "$work/shard$i.err"
  grep -q '^scan: device cpu' "$work/shard$i.err"   # every shard says what it ran on
  test ! -e "$work/part$i.csv.progress"               # removed once the part is complete
done
head -n 1 "$work/part1.csv" | grep -qx '# attnscope scan part 1 of 3'
tail -n 1 "$work/part1.csv" | grep -qx '# complete: [0-9]* rows'
"$app" merge "$work/part2.csv" "$work/part0.csv" "$work/part1.csv" --csv "$work/merged.csv" --figure "$work/merged.svg" > /dev/null
grep -q 'aggregate score' "$work/merged.svg"
cmp "$work/full.csv" "$work/merged.csv"

# What merge refuses, each with its own message, and nothing written.
p0=$work/part0.csv p1=$work/part1.csv p2=$work/part2.csv bad=$work/bad.csv
refuse() {
  local pattern=$1; shift
  if out=$("$app" merge "$@" --csv "$bad" 2>&1); then echo "merge accepted: $*"; exit 1; fi
  echo "$out" | grep -q -- "$pattern" || { echo "merge message for '$*' was: $out"; exit 1; }
  test ! -e "$bad"
}
refuse "shard 1 of 3 is missing" "$p0" "$p2"
refuse "shards 1, 2 of 3 are missing" "$p0"
refuse "shard 0 of 3 is missing" "$p1" "$p2"
header_only=$work/header_only.csv; sed -n '1,/^layer,head/p' "$p1" > "$header_only"
refuse "header_only.csv: is incomplete" "$p0" "$header_only" "$p2"
three_rows=$work/three_rows.csv; head -n 9 "$p0" > "$three_rows"
refuse "three_rows.csv: is incomplete" "$three_rows" "$p1" "$p2"
torn=$work/torn.csv; head -c $(( $(wc -c < "$p1") - 40 )) "$p1" > "$torn"
refuse "torn.csv: is incomplete" "$p0" "$torn" "$p2"
cp "$p1" "$work/copy.csv"
refuse "part1.csv and .*copy.csv are both shard 1 of 3" "$p0" "$p1" "$work/copy.csv" "$p2"
refuse "is given twice" "$p0" "$p1" "$p1" "$p2"
refuse "a whole scan's CSV" "$work/full.csv"
"$app" scan "$model" --task mqar --examples 8 --random 2 --keep 1:0+1 --shard 1/3 --csv "$work/fewer.csv" --quiet > /dev/null 2>&1
refuse "different scans (examples 12 vs 8)" "$p0" "$work/fewer.csv" "$p2"
"$app" scan "$model" --task mqar --examples 12 --seed 2 --random 2 --keep 1:0+1 --shard 1/3 --csv "$work/seed2.csv" --quiet > /dev/null 2>&1
refuse "different scans (seed 1 vs 2)" "$p0" "$work/seed2.csv" "$p2"
"$app" scan "$model" --task mqar --examples 12 --random 2 --keep 1:0+1 --shard 3/4 --csv "$work/old.csv" --quiet > /dev/null 2>&1
refuse "old.csv is shard 3 of 4" "$p0" "$p1" "$p2" "$work/old.csv"
if "$app" merge "$p0" "$p1" "$p2" --csv "$p1" > /dev/null 2>&1; then echo "merge overwrote a part"; exit 1; fi
head -n 1 "$p1" | grep -qx '# attnscope scan part 1 of 3'

# A scan killed mid-way resumes from its progress file and ends byte for
# byte as one that never stopped; a damaged progress file is ignored, with a message.
resume=(scan "$model" --task letters --examples 200 --random 2 --shard 1/2 --quiet)
"$app" "${resume[@]}" --csv "$work/whole_run.csv" > /dev/null 2>&1
"$app" "${resume[@]}" --csv "$work/killed.csv" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 600); do [ -e "$work/killed.csv.progress" ] && break; sleep 0.01; done
kill -9 $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
test ! -e "$work/killed.csv"
grep -q '^examples_done ' "$work/killed.csv.progress"
"$app" "${resume[@]}" --csv "$work/killed.csv" > "$work/resumed.txt" 2>&1
grep -q 'resuming from .*killed.csv.progress: [0-9]* of 200 examples already scored' "$work/resumed.txt"
cmp "$work/whole_run.csv" "$work/killed.csv"
test ! -e "$work/killed.csv.progress"
echo "not a progress file" > "$work/damaged.csv.progress"
"$app" "${resume[@]}" --csv "$work/damaged.csv" > "$work/damaged.txt" 2>&1
grep -q 'ignoring .*damaged.csv.progress (it is damaged); starting from the first example' "$work/damaged.txt"
cmp "$work/whole_run.csv" "$work/damaged.csv"

# --plan counts and times before anything runs; --help works on every command.
"$app" scan "$model" --task letters --examples 50 --plan > "$work/plan.txt" 2>&1
grep -q '^scan plan: [0-9]* conditions' "$work/plan.txt"
grep -q '^suggested: SHARDS=[0-9]* (--shard i/[0-9]*), about .* --time=[0-9][0-9]:[0-9][0-9]:00' "$work/plan.txt"
for command in scan merge run inspect; do "$app" $command --help | grep -q "^usage: attnscope $command"; done
"$app" scan --help | grep -q -- '--device auto|cpu|cuda'
"$app" scan --help | grep -q -- '--quiet'

# sweep: every head of the demo ablated alone on its prompt; the G&A head 0.0
# heads the table (it turns B into C) and the CSV has a row per head.
"$app" sweep "$model" --prompt "$(cat "$root/resources/prompts/demo.txt")" \
  --top 3 --csv "$work/sweep.csv" --figure "$work/sweep.svg" --quiet > "$work/sweep.txt" 2>&1
grep -q '<svg' "$work/sweep.svg"
for caption in 'change in log p(target), head ablated' 'KL of the next token' 'the largest drop'; do grep -q "$caption" "$work/sweep.svg"; done
"$app" sweep "$model" --prompt x --figure "$work/sweep.png" > "$work/err.txt" 2>&1 && exit 1
grep -q "the sweep figure is an SVG" "$work/err.txt"
head -n 1 "$work/sweep.csv" | grep -qx 'layer,head,delta_logprob,kl'
test "$(($(wc -l < "$work/sweep.csv") - 1))" -eq "$heads"
grep -q 'heads zero-ablated one at a time' "$work/sweep.txt"
grep -A1 'delta log p' "$work/sweep.txt" | tail -n 1 | grep -Eq '^ +0 +0 +-[0-9]'   # head 0.0 first: the largest drop
"$app" sweep "$model" --prompt x --target "two words" > "$work/err.txt" 2>&1 && exit 1
grep -q "give a single token" "$work/err.txt"
"$app" sweep --help | grep -q '^usage: attnscope sweep'

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
echo "scan and merge: ok"
