#!/usr/bin/env bash
# attnscope scan on the bundled Transformer demo: the CSV has the documented
# header and an intact row; a scan split into shards and merged has the same
# rows as the whole scan; bad arguments give one clear message.
set -euo pipefail
app=$1 root=$2
model=$root/resources/models/transformer
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$app" scan "$model" --task mqar --examples 12 --random 2 --keep 1:0+1 --csv "$work/full.csv" --quiet > "$work/table.txt"
head -n 1 "$work/full.csv" | grep -qx 'layer,head,mode,accuracy,gather_score,aggregate_score'
grep -q '^-1,-1,none,' "$work/full.csv"
grep -q '^1,-1,keep:0+1,' "$work/full.csv"
test "$(grep -c ',random,' "$work/full.csv")" -eq 2
test "$(grep -c ',zero,' "$work/full.csv")" -eq 8
grep -q 'intact accuracy' "$work/table.txt"

for i in 0 1 2; do
  "$app" scan "$model" --task mqar --examples 12 --random 2 --keep 1:0+1 --shard $i/3 --csv "$work/part$i.csv" --quiet > /dev/null
done
"$app" merge "$work/part0.csv" "$work/part1.csv" "$work/part2.csv" --csv "$work/merged.csv" > /dev/null
diff <(sort "$work/full.csv") <(sort "$work/merged.csv")

# Clear errors, nothing written.
expect_error() {
  local pattern=$1; shift
  if out=$("$app" "$@" 2>&1); then echo "expected failure: $*"; exit 1; fi
  echo "$out" | grep -q -- "$pattern" || { echo "message for '$*' was: $out"; exit 1; }
}
expect_error "unknown task 'sudoku'" scan "$model" --task sudoku --examples 2
expect_error "expected i/N" scan "$model" --task mqar --shard 3/3
expect_error "in both" merge "$work/part0.csv" "$work/part0.csv" --csv "$work/bad.csv"
expect_error "intact rows" merge "$work/part1.csv" --csv "$work/bad.csv"
test ! -e "$work/bad.csv"
echo "scan and merge: ok"
