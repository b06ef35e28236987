#!/usr/bin/env bash
# Issue 18 and 19's speed goals on one synthetic athlete of ACTIVITIES runs (about ten years at
# 3,000), HRV_FRACTION of them with beat-to-beat intervals, and a morning for every day of its
# plan as a watch's three daily FIT files:
# - the import of the daily files alone (goal: ten years, 3,650 days x 3 files, under 30 s);
# - `trends`, `readiness` and `wellness` on the store of both (goal: each under 1 s).
# Prints each time (median of ROUNDS for the queries) and the counts they are of.
# Usage: benches/mornings.sh HRDRIFT_BIN [ACTIVITIES] [HRV_FRACTION] [ROUNDS]
# WRITE_ATHLETE points at the write_athlete example (default target/release/examples/).
set -euo pipefail
bin=$1 n=${2:-3000} hrv=${3:-0.3} rounds=${4:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
${WRITE_ATHLETE:-target/release/examples/write_athlete} "$work/files" "$n" 9 "$hrv" mornings > /dev/null 2>&1
rm -f "$work/files/truth.json"
mv "$work/files/mornings" "$work/mornings"
days=$(ls "$work/mornings/Monitor" | wc -l)
files=$(find "$work/mornings" -name '*.fit' | wc -l)
asof=$(ls "$work/files" | sort | tail -n 1 | cut -d- -f2-4)
secs() {
    local s e
    s=$(date +%s.%N)
    "$@" > /dev/null 2>&1
    e=$(date +%s.%N)
    echo "$e - $s" | bc
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
t=$(secs "$bin" --store "$work/store" import --quiet "$work/files")
printf 'import of %d activities (%s with beats): %.2f s\n' "$n" "$hrv" "$t"
t=$(secs "$bin" --store "$work/store" import --quiet "$work/mornings")
printf 'import of %d daily files (%d days): %.2f s\n' "$files" "$days" "$t"
"$bin" --store "$work/store" trends --as-of "$asof" > /dev/null
for cmd in "trends --as-of $asof" "readiness --as-of $asof" "wellness --as-of $asof --since 12w"; do
    : > "$work/t"
    for _ in $(seq "$rounds"); do
        # shellcheck disable=SC2086
        secs "$bin" --store "$work/store" $cmd >> "$work/t"
    done
    printf '%-10s median %.3f s of %d\n' "${cmd%% *}" "$(median < "$work/t")" "$rounds"
done
"$bin" --store "$work/store" readiness --as-of "$asof" | tail -n 2
