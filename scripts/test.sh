#!/usr/bin/env bash
# The whole test suite: gcc build with ctest, clang ASan+UBSan build with
# ctest, valgrind on every unit test, and the formatting check.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
jobs=$(nproc)

echo "== gcc, -Werror, ctest"
cmake -S . -B build-ci/gcc -G Ninja -DCMAKE_C_COMPILER=gcc \
      -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-ci/gcc -j "$jobs"
ctest --test-dir build-ci/gcc --output-on-failure -j "$jobs"

echo "== clang, ASan+UBSan, ctest"
cmake -S . -B build-ci/asan -G Ninja -DCMAKE_C_COMPILER=clang \
      -DCMAKE_BUILD_TYPE=Debug -DINK_SANITIZE=ON -DINK_FUZZ=ON >/dev/null
cmake --build build-ci/asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-ci/asan --output-on-failure -j "$jobs" \
    -E '^nab_scorer$' # Python only: no C code of ours to sanitize

echo "== valgrind on the unit tests and the fuzz corpus"
for t in build-ci/gcc/tests/test_* build-ci/gcc/tests/truth/test_truth_gen; do
    [ -x "$t" ] || continue
    # The suppressions: libgomp's thread pool (through XGBoost) is kept
    # until exit, library memory, not ours (tests/score/valgrind.supp).
    INK_TEST_DATA=$PWD/tests/data valgrind -q --error-exitcode=1 \
        --leak-check=full --errors-for-leak-kinds=all \
        --suppressions=tests/score/valgrind.supp "$t" >/dev/null
    echo "valgrind clean: $(basename "$t")"
done
valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=all \
    build-ci/gcc/fuzz/replay_csv fuzz/corpus/csv >/dev/null
echo "valgrind clean: replay_csv"

echo "== clang-format"
git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror

# The closing line CI reads: the four stages above (set -e stops at a failure).
echo "stages: 4 passed, 0 failed"
