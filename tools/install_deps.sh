#!/usr/bin/env bash
# Installs what ctcscope needs to build and test on Debian 12, as root:
# the compiler and build tools, Eigen, libpng, libtiff, GoogleTest and Google Benchmark,
# Debian's PyTorch and torchvision, which only the tests use: they write
# the reference state_dicts and logits ctcscope is held against; and clang
# with its libFuzzer and OpenMP runtimes, which only tools/fuzz.sh uses; and
# Slurm (slurm-wlm) with munge, which only the Slurm test uses: it starts a
# one-node Slurm on this machine (tools/local_slurm.sh) and submits a grid.
# Packages already present are not fetched again.
set -euo pipefail
packages=(g++ cmake ninja-build libeigen3-dev libpng-dev libtiff-dev libgtest-dev libbenchmark-dev
          python3-torch python3-torchvision clang libclang-rt-14-dev libomp-dev slurm-wlm munge)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install_deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
