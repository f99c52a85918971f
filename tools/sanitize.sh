#!/usr/bin/env bash
# Builds the CPU test suite under sanitizers and runs it; any report fails.
#   tools/sanitize.sh asan [ctest args]  AddressSanitizer + UndefinedBehaviorSanitizer
#                                         (leaks included), every CPU test, in build-asan/
#   tools/sanitize.sh tsan [ctest args]  ThreadSanitizer on the tests that start threads
#                                         (the data loader's workers, synth's writers), in build-tsan/
# Extra arguments go to ctest (e.g. -LE slow for the fast tests only).
# Suppressions, each with its reason, live in tools/sanitizers/.
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-asan}"
shift || true
supp="$PWD/tools/sanitizers"
case "$kind" in
  asan)
    dir=build-asan
    sanitizers="address;undefined"
    # Not detect_stack_use_after_return: with GCC 12 its fake stacks crash a
    # test body (a SEGV reading an initializer_list's own array in
    # ResNet18.OverfitsATinyRandomProblem) that is clean without them.
    export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=1:strict_string_checks=1"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
    export LSAN_OPTIONS="suppressions=$supp/lsan.supp"
    targets=()        # everything the tests need
    # The tests not labelled slow (every kernel, layer, reader and command on
    # small inputs), then the slow BadInput tests: the command on truncated,
    # corrupt and mismatched files, where memory errors would hide. The other
    # slow tests are training and network volume over the same code (minutes
    # each under ASan: the crash, resume and experiment runs, the comparisons
    # with PyTorch, Grad-CAM's finite differences on whole networks); the
    # normal suite runs them all.
    select=(-LE slow)
    then_select=(-R '^BadInput\.')
    slow_folders=tools  # BadInput's program; the other slow programs are not built
    ;;
  tsan)
    dir=build-tsan
    sanitizers="thread"
    # libgomp is not built with ThreadSanitizer, so TSan cannot see the
    # barriers of OpenMP's parallel regions and reports every kernel as a race.
    # With one OpenMP thread libgomp starts no threads; what remains are the
    # project's own std::threads (loader workers, prefetch), which TSan sees whole.
    export OMP_NUM_THREADS=1
    export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp"
    targets=(test_data)
    select=(-R 'LoaderTest|Synth')
    then_select=()
    slow_folders=all
    ;;
  *) echo "usage: tools/sanitize.sh asan|tsan [ctest args]" >&2; exit 2 ;;
esac
# The GPU test programs only skip on this CPU build: they are not built.
# -O1: the instrumented code compiles about twice as fast as at -O2 and still
# runs at a usable speed; the kernels, where the tests spend their time, stay
# at -O2 (kernels/CMakeLists.txt).
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -DNDEBUG" \
      -DCTC_CUDA=OFF -DCTC_BUILD_BENCH=OFF -DCTC_BUILD_GPU_TESTS=OFF "-DCTC_SANITIZE=$sanitizers" \
      "-DCTC_SLOW_TEST_FOLDERS=$slow_folders" >/dev/null
cmake --build "$dir" ${targets[@]+--target "${targets[@]}"}
ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" ${select[@]+"${select[@]}"} "$@"
if [ ${#then_select[@]} -gt 0 ]; then
  ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" "${then_select[@]}" "$@"
fi
