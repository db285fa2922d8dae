#!/usr/bin/env bash
# Under Xvfb: run the bundled demo model, ablate one head, save the session;
# then start the app again on the saved file alone (no model), check it shows
# the saved ablation, take a screenshot and export the view as a PDF. A sweep
# (every head ablated alone) is saved with the session and shows again on
# reopening: the G&A head 0.0 is the one whose ablation hurts the answer most.
. "$(dirname "$0")/xvfb_gui.sh" "$@"

cat > "$work/live.txt" <<STEPS
run
open-head 1 0
ablate 1 1
sweep
state $work/live.json
save $work/ablated.h5
screenshot $work/live.png
STEPS
gui "$model" --script "$work/live.txt"

cat > "$work/reopen.txt" <<STEPS
state $work/reopened.json
screenshot $work/reopened.png
export $work/reopened.pdf
STEPS
gui "$work/ablated.h5" --script "$work/reopen.txt"

"$app" show "$work/ablated.h5" --json > "$work/show.json"
python3 - "$work" <<'PY'
import json, struct, sys
work = sys.argv[1]
live = json.load(open(f"{work}/live.json"))
assert live["ablated"] == [[1, 1]], live
assert live["ablation"] == "1.1:zero", live
assert live["outputs"].startswith("Ablated 1.1:zero"), live
show = json.load(open(f"{work}/show.json"))
assert [a["spec"] for a in show["ablations"]] == ["1.1:zero"], show["ablations"]
again = json.load(open(f"{work}/reopened.json"))
assert again["session"].endswith("ablated.h5"), again
assert again["ablated"] == [[1, 1]] and again["outputs"] == live["outputs"], (again, live)
assert live["grid"] == again["grid"] == "delta", (live, again)
assert (live["sweep"]["worst_row"], live["sweep"]["worst_head"]) == (0, 0), live["sweep"]
assert again["sweep"]["target"] == live["sweep"]["target"] and again["sweep"]["mode"] == "zero", again
assert abs(again["sweep"]["worst_delta_logprob"] - live["sweep"]["worst_delta_logprob"]) < 1e-5, (again, live)
for name in ("live", "reopened"):
    with open(f"{work}/{name}.png", "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", name
    width, height = struct.unpack(">II", head[16:24])
    assert width >= 1000 and height >= 700, (name, width, height)
print("e2e: live and reopened sessions agree:", again["outputs"])
PY
pdftoppm -r 50 -png -singlefile "$work/reopened.pdf" "$work/page"
test -s "$work/page.png"

# A script step that fails gives one message and status 1.
printf 'ablate 0 0\n' > "$work/bad.txt"
if gui "$work/ablated.h5" --script "$work/bad.txt" 2> "$work/bad.err"; then
  echo "ablating a saved session without its model should fail"; exit 1
fi
grep -q "run its model" "$work/bad.err" || { cat "$work/bad.err"; exit 1; }
echo "e2e: ok"
