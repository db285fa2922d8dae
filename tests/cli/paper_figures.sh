#!/usr/bin/env bash
# attnscope export as a paper prints its figures: at a column (85 mm) and a
# page (178 mm) width, a 474-token prompt's labels do not overlap (word boxes
# from pdftotext -bbox), fonts are 6-9 pt, the title is whole, no image is
# JPEG (pdfimages -list); several heads, a zoomed region and the display
# options render; bad arguments give one clear message and write nothing.
set -euo pipefail
app=$1 src=$2 fixtures=$3 gui=$4
[ "$gui" = "ON" ] || { echo "export needs the GUI build; skipped"; exit 0; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/refuse.sh"

# A long prompt: 370 words of a small vocabulary (474 tokens for the demo's tokenizer).
python3 -c "
import random
random.seed(1)
w = 'tiger river stone apple candle lamp horse cloud'.split()
print(' '.join(random.choice(w) + (' ' + str(random.randint(0, 9)) if random.random() < 0.3 else '') for _ in range(370)))
" > "$work/long.txt"
"$app" run "$src/resources/models/transformer" --prompt-file "$work/long.txt" --out "$work/long.h5" > /dev/null
"$app" run "$src/resources/models/mamba2" --prompt-file "$src/resources/prompts/demo.txt" --out "$work/ssm.h5" > /dev/null

"$app" run "$src/resources/models/transformer" --prompt-file "$src/resources/prompts/demo.txt" --ablate 0.3 \
  --out "$work/ablated.h5" > /dev/null

# check_pdf FILE TITLE: words on the page, none overlapping, 6-9 pt, the title whole, no JPEG.
check_pdf() { python3 "$src/tests/support/check_figure_pdf.py" "$1" "$2"; }

"$app" export "$work/long.h5" --layer 1 --head 3 --out "$work/column.pdf" > /dev/null
check_pdf "$work/column.pdf" "layer 1, head 3 (softmax_attention)"
"$app" export "$work/long.h5" --layer 1 --head 3 --out "$work/page.pdf" --width-mm 178 --height-mm 120 --font-pt 9 > /dev/null
check_pdf "$work/page.pdf" "layer 1, head 3 (softmax_attention)"
"$app" export "$work/long.h5" --layer 0 --heads all --out "$work/row.pdf" --width-mm 178 --height-mm 60 --font-pt 6 > /dev/null
check_pdf "$work/row.pdf" "layer 0 (softmax_attention)"
"$app" export "$work/long.h5" --layer 1 --head 3 --queries 400:474 --keys 300:474 --out "$work/zoom.pdf" --marks > /dev/null
check_pdf "$work/zoom.pdf" "layer 1, head 3"
"$app" export "$work/ssm.h5" --layer 3 --heads 4,5 --out "$work/ssm.pdf" --width-mm 178 --height-mm 90 \
  --row-normalise --clip-percentile 99 --hide-diagonal --title "Mamba-2 G&A heads" > /dev/null
check_pdf "$work/ssm.pdf" "Mamba-2 G&A heads"
"$app" export "$work/ssm.h5" --layer 3 --head 5 --out "$work/ssm.png" --dpi 200 > /dev/null
python3 - "$work/ssm.png" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
w, h = struct.unpack(">II", data[16:24])
assert (w, h) == (669, 669), (w, h)  # 85 mm at 200 dpi
PY

# The exploration saved with a session: `--diff-ablation shown` (and --only-diff
# alone) takes the ablation on show when it was saved, here the only one.
"$app" export "$work/ablated.h5" --layer 1 --head 3 --diff-ablation shown --out "$work/shown.pdf" > /dev/null
"$app" export "$work/ablated.h5" --layer 1 --head 3 --diff-ablation 0 --out "$work/first.pdf" > /dev/null
check_pdf "$work/shown.pdf" "layer 1, head 3 (softmax_attention), ablated 0.3:zero"
[ "$(pdftotext "$work/shown.pdf" -)" = "$(pdftotext "$work/first.pdf" -)" ]
"$app" export "$work/ablated.h5" --layer 1 --head 3 --only-diff --out "$work/only.pdf" > /dev/null
pdftotext "$work/only.pdf" - | grep -q "ablated 0.3:zero"

refuse export "queries 5:3 is empty" "$work/long.h5" --layer 1 --head 3 --queries 5:3 --out "$work/refused.pdf"
refuse export "give first:end" "$work/long.h5" --layer 1 --head 3 --queries ten --out "$work/refused.pdf"
refuse export "keys 0:900 is empty or leaves the prompt" "$work/long.h5" --layer 1 --head 3 --keys 0:900 --out "$work/refused.pdf"
refuse export "give head numbers" "$work/long.h5" --layer 1 --heads 1,x --out "$work/refused.pdf"
refuse export "no head 9" "$work/long.h5" --layer 1 --heads 1,9 --out "$work/refused.pdf"
refuse export "not both" "$work/long.h5" --layer 1 --head 1 --heads 2 --out "$work/refused.pdf"
refuse export "--colour-map rainbow" "$work/long.h5" --layer 1 --colour-map rainbow --out "$work/refused.pdf"
refuse export "--clip-percentile" "$work/long.h5" --layer 1 --clip-percentile 20 --out "$work/refused.pdf"
refuse export "--font-pt" "$work/long.h5" --layer 1 --font-pt 30 --out "$work/refused.pdf"
refuse export "holds no ablations to compare with" "$work/long.h5" --layer 1 --only-diff --out "$work/refused.pdf"
refuse export "--diff-ablation" "$work/ablated.h5" --layer 1 --head 3 --diff-ablation 1 --out "$work/refused.pdf"
refuse export "make the figure larger" "$work/long.h5" --layer 1 --width-mm 10 --height-mm 10 --out "$work/refused.pdf"
echo "paper figures ok"
