#!/usr/bin/env bash
# The main job, from a fresh Debian machine (run as root): install what is
# needed, build, and run it. Until the data pipeline lands the main job is a
# short ResNet18 training run on generated tensors that prints its falling loss.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
bash tools/build.sh
./build/tools/ctcscope demo-train "$@"
