#!/usr/bin/env bash
# Builds the .deb, unpacks it into a scratch root (dpkg -x), and checks that
# the installed attnscope reports its version, runs an installed demo model,
# finds its resources under share/attnscope (not the source tree), opens its
# window under Xvfb for a screenshot, and that lintian reports no errors.
set -euo pipefail
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

(cd "$build" && cpack -G DEB -B "$work/out" > "$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/out/attnscope_*.deb)
echo "package: $(basename "$deb") ($(du -h "$deb" | cut -f1))"
dpkg-deb --field "$deb" Depends | tee "$work/depends.txt"
for dep in libtorch libqt6widgets6 libhdf5 libopenblas0-pthread libqcustomplot; do
  grep -q "$dep" "$work/depends.txt" || { echo "Depends lacks $dep"; exit 1; }
done

root=$work/root
dpkg -x "$deb" "$root"
for f in usr/bin/attnscope usr/share/applications/io.github.attnscope.AttnScope.desktop \
         usr/share/metainfo/io.github.attnscope.AttnScope.metainfo.xml \
         usr/share/icons/hicolor/scalable/apps/io.github.attnscope.AttnScope.svg \
         usr/share/man/man1/attnscope.1.gz usr/share/doc/attnscope/copyright \
         usr/share/attnscope/models/transformer/config.json usr/share/attnscope/datasets/words.txt \
         usr/share/doc/attnscope/examples/scan_array.sbatch; do
  test -e "$root/$f" || { echo "the package lacks /$f"; exit 1; }
done

app=$root/usr/bin/attnscope
# Away from the source tree, so only the installed resources can be found.
cd "$work"
"$app" --version | grep -q "attnscope 0\."
"$app" run "$root/usr/share/attnscope/models/transformer" --prompt "Pairs: tiger 3 river 7. Queries: tiger" \
  --out "$work/run.h5" > "$work/run.txt"
grep -q "wrote session" "$work/run.txt"
"$app" demo --headless --out-dir "$work" > "$work/demo.txt"
grep -q "$root/usr/share/attnscope/models" "$work/demo.txt" || grep -q "session written to" "$work/demo.txt"
ls "$work"/demo-*.h5 > /dev/null

unset QT_QPA_PLATFORM
HOME=$work XDG_CONFIG_HOME=$work/config ATTNSCOPE_SCREENSHOT=$work/installed.png \
  xvfb-run -a -s "-screen 0 1600x1000x24" "$app" demo
python3 - "$work/installed.png" <<'PY'
import struct, sys
head = open(sys.argv[1], "rb").read(24)
assert head[:8] == b"\x89PNG\r\n\x1a\n"
w, h = struct.unpack(">II", head[16:24])
assert w >= 1000 and h >= 700, (w, h)
print(f"installed window screenshot {w}x{h}")
PY

command -v lintian > /dev/null || { echo "lintian is needed (scripts/setup.sh installs it)"; exit 1; }
lintian --fail-on error "$deb" | tee "$work/lintian.txt" || {
  echo "lintian reports errors"; exit 1; }
echo "package: ok"
