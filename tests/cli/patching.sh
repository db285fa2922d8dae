#!/usr/bin/env bash
# attnscope patch on the bundled Transformer demo, with the demo prompt and
# the same prompt asking for another option: the CSV has a row per head and
# the documented header; one head patched alone (--head) recovers what its
# sweep row says; --positions gives a row per token; the figure has its
# captions; bad arguments give one clear message and write nothing.
set -euo pipefail
app=$1 root=$2
model=$root/resources/models/transformer
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
heads=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); print(c["num_hidden_layers"]*c["num_attention_heads"])' "$model/config.json")
clean=$(cat "$root/resources/prompts/demo.txt")
corrupted=${clean/candle?/apple?}
test "$clean" != "$corrupted"

"$app" patch "$model" --clean "$clean" --corrupted "$corrupted" --top 3 --csv "$work/heads.csv" \
  --figure "$work/heads.svg" --quiet > "$work/heads.txt" 2>&1
cat "$work/heads.txt"
grep -q 'the prompts differ at 5 (·candle -> ·apple)' "$work/heads.txt"
grep -q 'patching clean into corrupted' "$work/heads.txt"
head -n 1 "$work/heads.csv" | grep -qx 'layer,head,logit_diff,recovered'
test "$(($(wc -l < "$work/heads.csv") - 1))" -eq "$heads"
grep -q 'recovered fraction of the logit difference' "$work/heads.svg"

# The head that recovers most, patched alone, recovers what its row says.
best=$(tail -n +2 "$work/heads.csv" | sort -t, -k4 -g -r | head -n 1)
layer=$(echo "$best" | cut -d, -f1) head=$(echo "$best" | cut -d, -f2) recovered=$(echo "$best" | cut -d, -f4)
"$app" patch "$model" --clean "$clean" --corrupted "$corrupted" --head "$layer.$head" --positions \
  --csv "$work/positions.csv" --figure "$work/positions.svg" --quiet > "$work/one.txt" 2>&1
line=$(grep "^head $layer.$head patched" "$work/one.txt")
python3 - "$line" "$recovered" <<'PY'
import re, sys
shown = float(re.search(r"recovered (-?[0-9.]+)%", sys.argv[1]).group(1))
assert abs(shown - 100 * float(sys.argv[2])) < 0.06, (shown, sys.argv[2])
assert float(sys.argv[2]) > 0.2, "the best head must recover something on this prompt pair"
PY
head -n 1 "$work/positions.csv" | grep -qx 'position,token,logit_diff,recovered'
tokens=$("$app" tokenize "$model" --text "$clean" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["ids"]))')
test "$(($(wc -l < "$work/positions.csv") - 1))" -eq "$tokens"
grep -q "head $layer.$head patched at one position" "$work/positions.svg"

# Noising: the corrupted run's heads patched into the clean run.
"$app" patch "$model" --clean "$clean" --corrupted "$corrupted" --direction noise --top 1 --quiet > "$work/noise.txt" 2>&1
grep -q 'patching corrupted into clean' "$work/noise.txt"

expect_error() {
  local pattern=$1; shift
  if out=$("$app" "$@" 2>&1); then echo "expected failure: $*"; exit 1; fi
  echo "$out" | grep -q -- "$pattern" || { echo "message for '$*' was: $out"; exit 1; }
}
expect_error "equal token length" patch "$model" --clean "$clean" --corrupted "$clean B C"
expect_error "nothing for a patch to recover" patch "$model" --clean "$clean" --corrupted "$clean"
expect_error "give exactly one of --corrupted, --corrupted-file or --corrupted-ids" patch "$model" --clean "$clean"
expect_error "name it with --head" patch "$model" --clean "$clean" --corrupted "$corrupted" --positions
expect_error "need --positions" patch "$model" --clean "$clean" --corrupted "$corrupted" --head 0.0 --csv "$work/x.csv"
expect_error "is an SVG" patch "$model" --clean "$clean" --corrupted "$corrupted" --figure "$work/x.png"
expect_error "use denoise" patch "$model" --clean "$clean" --corrupted "$corrupted" --direction sideways
expect_error "give a single token" patch "$model" --clean "$clean" --corrupted "$corrupted" --foil "two words"
expect_error "head" patch "$model" --clean "$clean" --corrupted "$corrupted" --head 0.99
# A sweep or patching that would not fit says so before running (limit above what the model takes to load).
long=$clean$clean$clean$clean$clean$clean$clean$clean$clean$clean
ATTNSCOPE_MEMORY_LIMIT=3000000 expect_error "a sweep over .* tokens needs about" sweep "$model" --prompt "$long" --quiet
ATTNSCOPE_MEMORY_LIMIT=3000000 expect_error "activation patching over .* tokens needs about" patch "$model" \
  --clean "$long" --corrupted "${long/candle?/apple?}" --quiet
test ! -e "$work/x.csv" && test ! -e "$work/x.png"
"$app" patch --help | grep -q '^usage: attnscope patch'
echo "patching: ok"
