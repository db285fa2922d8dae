#!/usr/bin/env bash
# Errors a user can cause: one line naming the problem, non-zero exit, no crash.
set -uo pipefail
app=$1 src=$2 fixtures=$3 gui=${4:-OFF}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
expect_error() {  # expect_error "<text in message>" command...
  local want=$1; shift
  local out rc
  out=$("$@" 2>&1 >/dev/null); rc=$?
  if [ $rc -eq 0 ] || [ $rc -gt 128 ]; then echo "FAIL (exit $rc): $*"; exit 1; fi
  if ! grep -q -- "$want" <<<"$out"; then echo "FAIL: '$want' not in: $out"; exit 1; fi
}
printf 'not hdf5' > "$work/bad.h5"
expect_error "not an HDF5" "$app" show "$work/bad.h5"
mkdir -p "$work/m" && cp "$fixtures/gpt2-tiny/model.safetensors" "$work/m/" && echo '{"model_type": "bert"}' > "$work/m/config.json"
expect_error "unknown model_type 'bert'" "$app" run "$work/m" --input-ids 1,2
expect_error "at most 64" "$app" run "$fixtures/gpt2-tiny" --input-ids "$(seq -s, 1 70)"
expect_error "outside the model's vocabulary" "$app" run "$fixtures/gpt2-tiny" --input-ids 5,500
expect_error "cannot ablate head" "$app" run "$fixtures/mamba2-tiny" --input-ids 5,6 --ablate 1.9
expect_error "does not divide" "$app" run "$fixtures/mamba-tiny" --input-ids 5,6 --channel-group 5
expect_error "unknown --view" "$app" run "$fixtures/mamba-tiny" --input-ids 5,6 --view sideways
# Training options are checked before any training starts.
expect_error "below 1" "$app" train --out "$work/t" --head-dropout 1.5
expect_error "layer numbers separated by commas" "$app" train --out "$work/t" --head-dropout 0.2 --head-dropout-layers 0,x
expect_error "expected LAYER:HEAD+HEAD" "$app" train --out "$work/t" --keep-heads 1-0
expect_error "expected LAYER:HEAD+HEAD" "$app" train --out "$work/t" --head-dropout 0.2 --head-dropout-spare 1
if [ "$gui" = "ON" ]; then
  expect_error "no display" env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM "$app" gui
  expect_error "at most one session" env QT_QPA_PLATFORM=offscreen "$app" gui a.h5 b.h5
fi
echo "cli errors: ok"
