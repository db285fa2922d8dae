#!/usr/bin/env bash
# Every family of the Transformer-vs-SSM studies through the whole CLI, on
# its repository fixture (random weights, the one-character-per-token
# tokenizer): inspect, tokenize, run with a prompt (an ablation named by its
# mixer where a layer has two, --dump, a session), show, export of each
# mixer kind, and scan of the letters task. Checks the session's mixer
# groups and the dump's names.
set -euo pipefail
app=$1 src=$2 fixtures=$3 gui=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prompt="Question: Which option is candle? A. river B. candle Answer:"

# family fixture | head to ablate | a mixer row to export (layer[:mixer])
cases="
qwen3-tiny 1.1 1
falcon_mamba-tiny 1.3 0
llamba-tiny 1.2 0
jamba-tiny 1.3 1
bamba-tiny 1.2 0
granitemoehybrid-tiny 1.2 1
nemotron_h-tiny 1.0 0
zamba2-tiny 3.attn.1 3:attn
falcon_h1-tiny 0.attn.3 0:ssm
"
while read -r name head row; do
  [ -n "$name" ] || continue
  dir=$fixtures/$name
  "$app" inspect "$dir" > "$work/inspect.txt"
  "$app" tokenize "$dir" --text "$prompt" --json > "$work/tokens.json"
  python3 -c "import json,sys; t=json.load(open(sys.argv[1])); assert t['ids'][0] == 1 and len(t['ids']) > 20, t['ids']" \
    "$work/tokens.json"
  "$app" run "$dir" --prompt "$prompt" --ablate "$head" --dump "$work/$name.safetensors" --out "$work/$name.h5" \
    > "$work/run.txt" || { echo "run $name failed"; cat "$work/run.txt"; exit 1; }
  grep -q "wrote session" "$work/run.txt"
  "$app" show "$work/$name.h5" --json > "$work/show.json"
  python3 - "$work/show.json" "$work/$name.safetensors" "$name" <<'PY'
import json, struct, sys
show = json.load(open(sys.argv[1]))
raw = open(sys.argv[2], "rb").read()
header = json.loads(raw[8:8 + struct.unpack("<Q", raw[:8])[0]])
maps = sorted(k for k in header if k.startswith("mixing."))
rows = show["layers"]
assert len(rows) == len(maps), (rows, maps)
for r in rows:
    name = f"mixing.{r['layer']}" + (f".{r['mixer']}" if r["mixer"] == "attn" and
                                     sum(x["layer"] == r["layer"] for x in rows) > 1 else "")
    assert name in header, (name, maps)
    assert header[name]["shape"][0] == r["heads"], (name, header[name]["shape"], r)
assert len(show["ablations"]) == 1, show.get("ablations")
if sys.argv[3] in ("zamba2-tiny", "falcon_h1-tiny"):
    kinds = {(r["layer"], r["mixer"]) for r in rows}
    assert (1, "attn") in kinds and (1, "ssm") in kinds, kinds
PY
  h5dump -H "$work/$name.h5" > "$work/dump.txt"
  grep -q 'GROUP "layer_001"' "$work/dump.txt"
  if [ "$gui" = "ON" ]; then
    layer=${row%%:*}
    mixer=$([ "$row" != "$layer" ] && echo "--mixer ${row#*:}" || true)
    # shellcheck disable=SC2086
    "$app" export "$work/$name.h5" --layer "$layer" $mixer --head 0 --out "$work/$name.png" --dpi 100 > /dev/null
    test -s "$work/$name.png"
  fi
  "$app" scan "$dir" --task letters --examples 4 --out "$work/$name.csv" > "$work/scan.txt" 2>&1 ||
    { echo "scan $name failed"; cat "$work/scan.txt"; exit 1; }
  grep -q "zeroing the top aggregate head" "$work/scan.txt"
  echo "ok $name"
done <<< "$cases"
