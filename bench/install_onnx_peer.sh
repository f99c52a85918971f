#!/usr/bin/env bash
# Installs ONNX Runtime for Node.js, the CPU inference peer of
# bench/compare_models.sh cpu (issue 18: ctcscope's CPU inference beside the
# strongest CPU engine a user can install here). A benchmark peer only, never
# a dependency of ctcscope: nothing builds or tests against it, and
# tools/install_deps.sh and CI do not install it.
# The npm package ships its Linux x64 CPU library; --ignore-scripts skips its
# install script, which would fetch GPU binaries from outside npm.
# Usage: bench/install_onnx_peer.sh [DIR]   (default bench/.onnx-peer, git-ignored)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here/.onnx-peer}
version=1.31.1   # pinned: a peer that changes under the benchmark moves its figures
command -v npm >/dev/null || { echo "install_onnx_peer.sh: needs node and npm (apt-get install nodejs npm)" >&2; exit 1; }
mkdir -p "$dir"
npm install --prefix "$dir" --ignore-scripts --no-audit --no-fund --save-exact "onnxruntime-node@$version"
# require() loads the native binding and its libonnxruntime.so.1, or throws.
node -e 'require(process.argv[1]); console.log("onnxruntime-node " + require(process.argv[1] + "/package.json").version + ": the CPU library loads")' \
  "$dir/node_modules/onnxruntime-node"
