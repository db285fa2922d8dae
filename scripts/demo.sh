#!/usr/bin/env bash
# One command: install, build, and run the demo (bundled model + prompt).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
exec "$root/build/app/attnscope" demo "$@"
