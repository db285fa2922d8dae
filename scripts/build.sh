#!/usr/bin/env bash
# Configures and builds AttnScope into build/ (Release, Ninja). Extra CMake
# options pass through, e.g. scripts/build.sh -DATTNSCOPE_GUI=OFF.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ATTNSCOPE_BUILD_DIR:-$root/build}
jobs=${ATTNSCOPE_JOBS:-$(nproc)}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$build" -j "$jobs"
