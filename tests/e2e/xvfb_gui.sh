# Sourced by the Xvfb tests with "$@" = APP SOURCE_DIR: sets app, src, a
# scratch $work (removed on exit), the demo $model, and gui() which runs the
# app's window on a fresh Xvfb display (the real xcb platform).
set -euo pipefail
app=$1 src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
model=$src/resources/models/transformer
unset QT_QPA_PLATFORM
gui() { xvfb-run -a -s "-screen 0 1600x1000x24" "$app" gui "$@"; }
