#!/usr/bin/env bash
# From a fresh Debian machine to inkasso running on its built-in sample
# portfolio: installs what is missing, builds, generates, checks the data
# and prints the KPI report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build
sample=build/sample
./build/inkasso gen "$sample" --cases "${CASES:-20000}" --seed 1
./build/inkasso check "$sample"
# The sample holds EUR and one CHF portfolio: amounts are never added
# across currencies, so the report groups by currency first.
./build/inkasso kpi "$sample" --by currency,segment --owners examples/owners.conf
# What changed lately, and which segment drives it.
./build/inkasso alerts "$sample"
