#!/usr/bin/env bash
# Under Xvfb, the window as a teacher and a paper author use it: choose a
# prompt, a target outside the default and the mean ablation, ablate, show
# the G&A head with its colour range clipped, zoom, export the head and the
# before / after / diff figure at 85 and 178 mm, save. Started again on
# another model, opening the session restores its checkpoint, prompt, target
# and mode; the figures pass the paper checks (tests/support/check_figure_pdf.py).
. "$(dirname "$0")/xvfb_gui.sh" "$@"

cat > "$work/live.txt" <<STEPS
checkpoint $model
prompt Question: Which option is candle?\nA. river stone\nB. tiger candle\nC. apple\nD. cloud lamp horse\nAnswer:
run
target ·C
mode mean
ablate 1 1
open-head 1 3
display clip on
scale log
scale linear
export $work/head-column.pdf 85 85
zoom 10 30 0 30
export $work/head-zoomed.pdf 85 85 zoomed marks
tab diff
export $work/diff-page.pdf 178 80
state $work/live.json
save $work/taught.h5
tab head
window 900 640
screenshot $work/small.png
window 1500 950
state $work/enlarged.json
STEPS
gui "$model" --script "$work/live.txt"

cat > "$work/reopen.txt" <<STEPS
open $work/taught.h5
state $work/reopened.json
screenshot $work/reopened.png
STEPS
gui "$src/resources/models/mamba2" --script "$work/reopen.txt"

python3 - "$work" "$model" <<'PY'
import json, struct, sys
work, model = sys.argv[1], sys.argv[2]
live = json.load(open(f"{work}/live.json"))
assert live["target"] == "·C" and live["mode"] == "mean", live
assert live["ablation"] == "1.1:mean", live
assert "log p('·C')" in live["outputs"], live["outputs"]
again = json.load(open(f"{work}/reopened.json"))
assert again["checkpoint"] == model, again["checkpoint"]
assert again["prompt"].startswith("Question: Which option is candle?\nA. river stone"), again["prompt"]
assert again["target"] == "·C" and again["mode"] == "mean" and not again["unsaved"], again
assert again["outputs"] == live["outputs"], (again["outputs"], live["outputs"])
w, h = struct.unpack(">II", open(f"{work}/small.png", "rb").read()[16:24])
assert (w, h) == (900, 640), (w, h)
enlarged = json.load(open(f"{work}/enlarged.json"))
assert enlarged["window"] == [1500, 950], enlarged["window"]
left, right = enlarged["side_panels"]
assert left >= 380 and right >= 280, f"side panels stayed squeezed after shrinking: {left}, {right}"
PY
python3 "$src/tests/support/check_figure_pdf.py" "$work/head-column.pdf" "layer 1, head 3 (softmax_attention)"
python3 "$src/tests/support/check_figure_pdf.py" "$work/head-zoomed.pdf" "layer 1, head 3"
python3 "$src/tests/support/check_figure_pdf.py" "$work/diff-page.pdf" "layer 1, head 3 (softmax_attention), ablated 1.1:mean"
echo "teaching and figures ok"
