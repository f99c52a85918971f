#!/usr/bin/env bash
# The hardening checks, after tools/run_tests.sh: the CPU suite under
# AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/), the loader's
# and synth's threads under ThreadSanitizer (build-tsan/), and each libFuzzer
# target for 30 s (build-fuzz/). Any report, crash or finding fails it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
bash tools/sanitize.sh asan
bash tools/sanitize.sh tsan
bash tools/fuzz.sh 30
