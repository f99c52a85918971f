#!/usr/bin/env bash
# Builds ctcscope and runs every test (CPU; GPU tests skip with a reason when
# there is no GPU), from a fresh Debian machine (run as root). Warnings are
# errors here. Then the hardening checks: the CPU suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer, the loader's threads under
# ThreadSanitizer, and each fuzz target for 30 s (tools/sanitize.sh,
# tools/fuzz.sh). `--quick` runs only the tests not labelled slow, and no
# hardening checks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
bash tools/build.sh -DCTC_WERROR=ON
if [ "${1:-}" = "--quick" ]; then
  ctest --test-dir build --output-on-failure -j "$(nproc)" -LE slow
  exit 0
fi
ctest --test-dir build --output-on-failure -j "$(nproc)"
bash tools/sanitize.sh asan
bash tools/sanitize.sh tsan
bash tools/fuzz.sh 30
