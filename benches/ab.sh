#!/usr/bin/env bash
# A/B of two hrdrift builds on the same files, interleaved: the import of the FIT fixtures plus a
# synthetic athlete (348 FIT files by default, as side_by_side.sh) and the import of every GPX
# fixture (tests/fixtures/gpx, and the 68-run series five times over). Prints each run and the
# medians.
#
# Usage: benches/ab.sh OLD_BIN NEW_BIN [ROUNDS=5] [ATHLETE_FILES=300]
# e.g. build the commit before a change in a worktree with the same CARGO_TARGET_DIR, copy its
# target/release/hrdrift aside, build this one, and compare.
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2 rounds=${3:-5} n=${4:-300}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/fit" "$work/gpx"
find tests/fixtures/fit -name '*.fit' -exec cp {} "$work/fit/" \;
writer=${WRITE_ATHLETE:-target/release/examples/write_athlete}
# shellcheck disable=SC2207
settings=($("$writer" "$work/fit/athlete" "$n" 1 2> /dev/null))
rm -f "$work/fit/athlete/truth.json"
cp -r tests/fixtures/gpx tests/fixtures/series "$work/gpx/"
# Four more copies of the series, each file with a comment appended: other bytes (so not skipped
# as already imported), the same runs (so every one is decoded and analysed, then kept once).
for k in 1 2 3 4; do
    mkdir -p "$work/gpx/copy$k"
    for f in tests/fixtures/series/runpandas-2020-2021/*.gpx; do
        { cat "$f"; echo "<!-- copy $k -->"; } > "$work/gpx/copy$k/$(basename "$f")"
    done
done
echo "FIT: $(find "$work/fit" -name '*.fit' | wc -l) files, $(du -sb "$work/fit" | awk '{printf "%.1f", $1/1e6}') MB;" \
    "GPX: $(find "$work/gpx" -name '*.gpx' | wc -l) files, $(du -sb "$work/gpx" | awk '{printf "%.1f", $1/1e6}') MB"

# One import into a new store (the athlete configured, as a nightly run has it); prints seconds.
import_once() {
    local bin=$1 dir=$2
    rm -rf "$work/store"
    "$bin" --store "$work/store" athlete set "${settings[@]}" > /dev/null
    local t0 t1
    t0=$(date +%s.%N)
    "$bin" --store "$work/store" import "$dir" --quiet > /dev/null || true
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}

declare -A times
for r in $(seq "$rounds"); do
    for which in old new; do
        bin=$old; [ "$which" = new ] && bin=$new
        for set in fit gpx; do
            t=$(import_once "$bin" "$work/$set")
            times[$which-$set]+="$t "
            echo "round $r $which $set ${t}s"
        done
    done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
for set in fit gpx; do
    mo=$(echo "${times[old-$set]}" | median)
    mn=$(echo "${times[new-$set]}" | median)
    echo "$set: old median ${mo}s (${times[old-$set]}), new median ${mn}s (${times[new-$set]}), new/old $(echo "scale=3; $mn / $mo" | bc)"
done
