#!/usr/bin/env bash
# Two builds side by side on the query commands: each imports the same synthetic athlete into a
# store of its own, then `trends`, `weeks`, `readiness`, `activities --json` and `report` run on
# each store, alternating builds, ROUNDS times. Prints the median seconds of each and the ratio.
# Usage: benches/queries_ab.sh OLD_BIN NEW_BIN [ACTIVITIES] [ROUNDS]
# WRITE_ATHLETE points at the write_athlete example (default target/release/examples/).
set -euo pipefail
old=$1 new=$2 n=${3:-3000} rounds=${4:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
${WRITE_ATHLETE:-target/release/examples/write_athlete} "$work/files" "$n" 9 > /dev/null 2>&1
rm -f "$work/files/truth.json"
asof=$(ls "$work/files" | sort | tail -n 1 | cut -d- -f2-4)
for b in old new; do
    bin=${!b}
    "$bin" --store "$work/$b" import --quiet "$work/files" > /dev/null
    # The first read folds and types what the import left; not what is measured.
    "$bin" --store "$work/$b" trends --as-of "$asof" > /dev/null
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
secs() {
    local s e
    s=$(date +%s.%N)
    "$@" > /dev/null 2>&1 || [ $? = 5 ]
    e=$(date +%s.%N)
    echo "$e - $s" | bc
}
printf '%-20s %8s %8s %7s\n' command old new ratio
for cmd in "trends --as-of $asof" "weeks --as-of $asof" "readiness --as-of $asof" \
    "activities --json" "report --out REPORT --as-of $asof"; do
    : > "$work/t-old"; : > "$work/t-new"
    for _ in $(seq "$rounds"); do
        for b in old new; do
            bin=${!b}
            # shellcheck disable=SC2086
            secs "$bin" --store "$work/$b" ${cmd//REPORT/$work/report-$b} >> "$work/t-$b"
        done
    done
    o=$(median < "$work/t-old"); w=$(median < "$work/t-new")
    printf '%-20s %8.3f %8.3f %7.3f\n' "${cmd%% *}" "$o" "$w" "$(echo "$w / $o" | bc -l)"
done
echo "metrics.parquet: old $(du -k "$work/old/metrics.parquet" | cut -f1) KB, new $(du -k "$work/new/metrics.parquet" | cut -f1) KB"
