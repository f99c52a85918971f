#!/usr/bin/env bash
# Proves, on a CPU machine, that the GPU check builds from the kit alone:
# in a private mount namespace every file of the system's copies of the
# kit's packages (Eigen, libpng, zlib's headers, GoogleTest, Google
# Benchmark; as dpkg -L lists them) is whited out of /usr/include, /usr/lib,
# /usr/share and /usr/src by overlay mounts, as on the bare GPU machine, and
# tools/gpu_check.sh --build-only then unpacks the kit, configures and builds.
# zlib's runtime library stays: cmake itself loads it, and every machine has one.
# Root only (unshare -m, mount). Log: bench/gpu_kit_proof.log unless given.
#   bench/gpu_kit_proof.sh [LOG]
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
log="${1:-$src/bench/gpu_kit_proof.log}"
hidden_packages=(libeigen3-dev libpng-dev libpng16-16 zlib1g-dev libgtest-dev googletest
                 libbenchmark-dev libbenchmark1debian)
mounts=(/usr/include /usr/lib /usr/share /usr/src)
if [[ "${CTC_PROOF_INSIDE:-}" != 1 ]]; then
work=$(mktemp -d /tmp/ctc-kit-proof.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Whiteouts (character device 0/0 in an overlay's upper layer) for each file.
hidden=0
while IFS= read -r f; do
  [[ -f "$f" || -L "$f" ]] || continue
  f=$(realpath -s "$f"); f=${f#/lib/}; [[ "$f" == /* ]] || f=/usr/lib/$f  # /lib is usr/lib
  for m in "${mounts[@]}"; do
    if [[ "$f" == "$m"/* ]]; then
      upper="$work/upper$m"
      mkdir -p "$(dirname "$upper${f#"$m"}")"
      [[ -e "$upper${f#"$m"}" ]] || mknod "$upper${f#"$m"}" c 0 0
      hidden=$((hidden + 1))
    fi
  done
done < <(dpkg -L "${hidden_packages[@]}" 2>/dev/null)
fi

if [[ "${CTC_PROOF_INSIDE:-}" == 1 ]]; then  # the second half, in the namespace
  for m in "${mounts[@]}"; do
    mkdir -p "$work/upper$m" "$work/work$m"
    mount -t overlay overlay -o "lowerdir=$m,upperdir=$work/upper$m,workdir=$work/work$m" "$m"
  done
  echo "== hidden: $hidden files of ${hidden_packages[*]}"
  for f in /usr/include/eigen3/Eigen/Core /usr/include/png.h /usr/include/zlib.h /usr/include/gtest/gtest.h \
           /usr/include/benchmark/benchmark.h /usr/lib/x86_64-linux-gnu/libpng16.so.16 \
           /usr/lib/x86_64-linux-gnu/libgtest.a /usr/lib/x86_64-linux-gnu/cmake/GTest/GTestConfig.cmake \
           /usr/share/eigen3/cmake/Eigen3Config.cmake /usr/lib/x86_64-linux-gnu/libbenchmark.so; do
    if [[ -e "$f" ]]; then echo "NOT HIDDEN: $f"; exit 1; fi
    echo "   gone: $f"
  done
  exec "$src/tools/gpu_check.sh" --build-only "$build"
fi

build="${CTC_PROOF_BUILD:-$src/build-gpu-proof}"
t0=$SECONDS
set +e
CTC_PROOF_INSIDE=1 work=$work hidden=$hidden build=$build unshare -m bash "$0" > "$work/stdout" 2>&1
rc=$?
set -e
{ echo "gpu_kit_proof $(date -u +%FT%TZ), commit $(git -C "$src" rev-parse --short HEAD), $(nproc) cores: rc $rc in $((SECONDS - t0)) s"
  cat "$work/stdout"
  echo "== build.log (compile lines left out):"
  grep -v '^\[[0-9]*/[0-9]*\] Building' "$build/gpu_check_out/build.log" | sed -n 1,150p
  echo "... ($(grep -c '^\[[0-9]*/[0-9]*\]' "$build/gpu_check_out/build.log") build steps)"
  tail -n 3 "$build/gpu_check_out/build.log"; } > "$log"
echo "gpu_kit_proof: rc $rc in $((SECONDS - t0)) s, log $log"
exit $rc
