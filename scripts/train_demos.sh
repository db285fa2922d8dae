#!/usr/bin/env bash
# Retrains the bundled demo models with the commands their model cards
# record (resources/models/<name>/README.md, with the accuracy each reached).
# Training is seeded, so the same commands give the same weights on the same
# LibTorch build. Each learns in two stages (a curriculum): recall and
# induction first, then letter retrieval (with recall for the SSMs) from that
# output; the Transformer has a third stage with head dropout.
# About 30 minutes on two cores; pass a model name to retrain only that one.
# Two trainings side by side need OPENBLAS_NUM_THREADS=1 each: oversubscribed
# OpenBLAS threads spin and make both runs several times slower.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
app=${ATTNSCOPE_APP:-$root/build/app/attnscope}
cd "$root"
only=${1:-all}

ship() {  # ship NAME FOLDER: the trained folder becomes the bundled demo
  rm -rf "resources/models/$1"
  cp -r "$2" "resources/models/$1"
}

if [[ $only == all || $only == transformer ]]; then
  "$app" train --arch transformer --out build/transformer-stage1 --steps 3000 --lr 0.002 --tasks mqar:2,induction:6
  "$app" train --arch transformer --init-from build/transformer-stage1 --out build/transformer-stage2 \
    --steps 6000 --lr 0.001 --tasks letters:2,letters:3,letters:4
  # Every head but 0.0 (stage 2's top aggregate head) dropped at random: the
  # other heads' jobs become redundant, so only a few stay indispensable.
  "$app" train --arch transformer --init-from build/transformer-stage2 --out build/transformer-stage3 \
    --steps 3000 --lr 0.0005 --tasks letters:2,letters:3,letters:4 --head-dropout 0.25 --head-dropout-spare 0:0 --quiet
  ship transformer build/transformer-stage3
fi
if [[ $only == all || $only == mamba2 ]]; then
  "$app" train --arch mamba2 --out build/mamba2-stage1 --steps 3000 --lr 0.002 --tasks mqar:2,induction:6
  "$app" train --arch mamba2 --init-from build/mamba2-stage1 --out build/mamba2-stage2 \
    --steps 4000 --lr 0.002 --tasks mqar:4,mqar:6,letters:2,letters:4
  ship mamba2 build/mamba2-stage2
fi
if [[ $only == all || $only == hybrid ]]; then
  "$app" train --arch hybrid --out build/hybrid-stage1 --steps 3000 --lr 0.002 --tasks mqar:2,induction:6
  "$app" train --arch hybrid --init-from build/hybrid-stage1 --out build/hybrid-stage2 \
    --steps 4000 --lr 0.002 --tasks mqar:4,mqar:6,letters:2,letters:4
  ship hybrid build/hybrid-stage2
fi
