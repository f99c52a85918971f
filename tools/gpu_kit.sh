#!/usr/bin/env bash
# Run HERE (a Debian 12 machine that reaches the package registry), before a
# GPU check: fetches the Debian packages the build needs and a bare GPU
# machine lacks (it has nvcc, CMake, ninja, a compiler and /opt/torch/.venv,
# and reaches no registry) into .gpu-kit/, which git ignores and the device
# call carries. tools/gpu_check.sh unpacks them there into a prefix with
# dpkg -x (never into /).
#   tools/gpu_kit.sh [KIT_DIR]      (default: .gpu-kit in the repository root)
# Headers, CMake config files and static libraries come with the -dev
# packages; the shared libraries the programs load at run time (libpng16,
# libbenchmark, zlib) come with their runtime packages, since the GPU
# machine's own may be missing or of another version.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
kit="${1:-$src/.gpu-kit}"
packages=(libeigen3-dev                      # Eigen (header-only, with its CMake config)
          libpng-dev libpng16-16             # libpng headers, libpng16.so and its runtime
          zlib1g-dev zlib1g                  # libpng's zlib: headers, libz.so and its runtime
          libgtest-dev                       # GoogleTest: headers, libgtest*.a, CMake config
          libbenchmark-dev libbenchmark1debian)  # Google Benchmark: headers, CMake config, .so
limit_mb=20

rm -rf "$kit.partial"
mkdir -p "$kit.partial"
# apt-get download takes the candidate version of each; it drops into the cwd.
(cd "$kit.partial" && apt-get download -q "${packages[@]}" 2>&1 | grep -v '^W: Download is performed unsandboxed')
got=$(ls "$kit.partial"/*.deb | wc -l)
[[ $got -eq ${#packages[@]} ]] || { echo "gpu_kit: expected ${#packages[@]} packages, got $got" >&2; exit 1; }
(cd "$kit.partial" && sha256sum ./*.deb > SHA256SUMS)
size_kb=$(du -sk "$kit.partial" | cut -f1)
if (( size_kb > limit_mb * 1024 )); then
  echo "gpu_kit: the kit is ${size_kb} KiB, over its ${limit_mb} MiB budget" >&2; exit 1
fi
rm -rf "$kit"
mv "$kit.partial" "$kit"
echo "gpu_kit: $got packages, $((size_kb / 1024)).$(( (size_kb % 1024) * 10 / 1024 )) MiB in $kit:"
sed 's/^[0-9a-f]* *\.\//  /' "$kit/SHA256SUMS"
