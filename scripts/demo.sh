#!/usr/bin/env bash
# From a fresh Debian machine to inkasso running on its built-in sample
# portfolio: installs what is missing, builds, generates, checks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build
sample=build/sample
./build/inkasso gen "$sample" --cases "${CASES:-20000}" --seed 1
./build/inkasso check "$sample"
