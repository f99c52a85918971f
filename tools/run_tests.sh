#!/usr/bin/env bash
# Builds ctcscope and runs every test (CPU; GPU tests skip with a reason when
# there is no GPU), from a fresh Debian machine (run as root). Warnings are
# errors here. `--quick` skips the tests labelled slow.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
bash tools/build.sh -DCTC_WERROR=ON
label=()
[ "${1:-}" = "--quick" ] && label=(-LE slow)
ctest --test-dir build --output-on-failure -j "$(nproc)" "${label[@]}"
