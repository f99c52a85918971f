#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, AddressSanitizer + UBSan, CPU only) in
# build-fuzz/, writes the seed corpora, and runs each target for a bounded
# time. Any crash, sanitizer report, leak, timeout (a hang) or allocation over
# the RSS limit fails the script and names the input that did it.
#   tools/fuzz.sh [SECONDS_PER_TARGET=30] [TARGET ...]
# Corpora grow in build-fuzz/corpus/<target>/; findings go to
# build-fuzz/findings/<target>/ (add each as a regression test under tests/).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(png tiff manifest safetensors pth checkpoint)

# -O1, as libFuzzer's own examples build: faster to compile than -O2 (the
# kernels keep -O2, kernels/CMakeLists.txt), and the readers fuzzed are not
# where the time goes.
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -DNDEBUG" -DCTC_CUDA=OFF \
  -DCTC_BUILD_TESTS=OFF -DCTC_BUILD_BENCH=OFF -DCTC_FUZZ=ON "-DCTC_SANITIZE=address;undefined" >/dev/null
cmake --build build-fuzz --target make_corpus "${targets[@]/#/fuzz_}"

seeds=build-fuzz/seeds
rm -rf "$seeds"
./build-fuzz/fuzz/make_corpus "$seeds"
mkdir -p "$seeds/pth"
cp tests/formats/fixtures/*.pth "$seeds/pth/"
cp tests/formats/fixtures/small.safetensors "$seeds/safetensors/torch_small.safetensors"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
status=0
for t in "${targets[@]}"; do
  corpus=build-fuzz/corpus/$t findings=build-fuzz/findings/$t
  mkdir -p "$corpus" "$findings"
  echo "fuzz: $t for ${seconds}s"
  # -rss_limit_mb: a reader that trusts a size field runs out here;
  # -timeout: one input taking over 10 s is a hang; -max_len: inputs up to 256 KiB.
  if ! ./build-fuzz/fuzz/fuzz_$t "$corpus" "$seeds/$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
        -malloc_limit_mb=1024 -timeout=10 -max_len=262144 -print_final_stats=1 \
        -artifact_prefix="$findings/" > "build-fuzz/$t.log" 2>&1; then
    echo "fuzz: $t FAILED; see build-fuzz/$t.log and the input in $findings/:" >&2
    ls -1 "$findings" >&2
    tail -40 "build-fuzz/$t.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "build-fuzz/$t.log" | tr '\n' ' '
    echo
  fi
done
exit $status
