#!/usr/bin/env bash
# Installs every Debian package AttnScope needs to build, test and run.
# libopenblas0-pthread is not optional: without it Debian's LibTorch falls back
# to reference BLAS and runs about twenty times slower.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git
  libtorch-dev libopenblas0-pthread libblas-dev
  libhdf5-dev hdf5-tools
  nlohmann-json3-dev libpcre2-dev libicu-dev libsimdjson-dev
  libgtest-dev
  qt6-base-dev qt6-svg-dev libqcustomplot-dev
  xvfb xauth poppler-utils python3 python3-numpy python3-h5py
  dpkg-dev lintian
  clang libclang-rt-14-dev
  nodejs
  wamerican
  slurm-wlm munge   # tests/e2e/slurm_scan.sh starts a one-node Slurm of its own
)
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Some machines carry a nodejs that bundles npm (and conflicts with Debian's npm).
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
