#!/usr/bin/env bash
# Builds ctcscope (tools/build.sh: the same build as tools/run_main.sh, so
# the second of the two reuses it) and runs every test (CPU; GPU tests skip
# with a reason when there is no GPU), from a fresh Debian machine (run as
# root), the layering check (tools/check_layers.sh) among them. `--quick` runs only
# the tests not labelled slow. The sanitizer and fuzzing checks are the
# second command, tools/run_hardening.sh (CI runs both: .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
bash tools/build.sh
if [ "${1:-}" = "--quick" ]; then
  ctest --test-dir build --output-on-failure -j "$(nproc)" -LE slow
  exit 0
fi
ctest --test-dir build --output-on-failure -j "$(nproc)"
