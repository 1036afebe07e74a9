# Sourced by the benchmarks: a Release build in build-bench ($ink) and the
# generated portfolio of $cases cases in $dir, made once and reused.
[ -x /usr/bin/time ] || apt-get install -y -qq time >/dev/null
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DBUILD_TESTING=OFF >/dev/null
cmake --build build-bench >/dev/null
ink=build-bench/inkasso
dir=${BENCH_DIR:-/tmp/inkasso-bench}/cases-$cases
if [ ! -f "$dir/contacts.csv" ]; then
    echo "generating $cases cases into $dir"
    mkdir -p "$(dirname "$dir")"
    /usr/bin/time -f "gen: %e s wall, %M KB peak RSS" \
        "$ink" gen "$dir" --cases "$cases" --seed 1
fi
