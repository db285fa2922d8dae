#!/usr/bin/env bash
# Regenerates the documentation's pictures from the bundled transformer demo:
# the README/user-guide window (a run with one head ablated), the
# before/after/diff tab, and a scan figure (of the hybrid demo, which solves
# letters). Needs a GUI build and Xvfb.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
app=${ATTNSCOPE_APP:-$root/build/app/attnscope}
model=$root/resources/models/transformer
images=$root/docs/images
# Ablate head A.B and show head C.D (downstream of it): arguments A B C D.
ablate_layer=${1:-0} ablate_head=${2:-0} layer=${3:-1} head=${4:-3}
steps=$(mktemp)
trap 'rm -f "$steps"' EXIT
cat > "$steps" <<STEPS
run
open-head $layer $head
ablate $ablate_layer $ablate_head
screenshot $images/attnscope-demo.png
tab diff
screenshot $images/attnscope-diff.png
STEPS
unset QT_QPA_PLATFORM
xvfb-run -a -s "-screen 0 1600x1000x24" "$app" gui "$model" --script "$steps"
"$app" scan "${SCAN_MODEL:-$root/resources/models/hybrid}" --task "${SCAN_TASK:-letters}" --examples 200 --heads all --random 5 \
  --figure "$images/scan.svg" --quiet > /dev/null
echo "wrote $images/attnscope-demo.png, attnscope-diff.png, scan.svg"
