#!/usr/bin/env bash
# Peak RSS of `hrdrift import` against the number of files: imports the first N files of one
# synthetic athlete (1,000, 3,000 and 10,000 by default) into new stores, with the athlete's
# settings configured and with nothing configured (anchors estimated), and prints wall time and
# peak RSS (`/usr/bin/time -v`) of each, then the growth per 1,000 activities. A flat import
# grows only by its own index of what it stored (a content hash and a time span an activity).
#
# Usage: benches/memory.sh [N...]        (default: 1000 3000 10000)
# Env:   HRDRIFT_BIN (default target/release/hrdrift), OTHER_BIN (a second binary, run
#        interleaved with the first, for a before/after), SKIP_BUILD=1, FILES=DIR (reuse a
#        `write_athlete DIR 10000 9` folder instead of writing one; 1.2 GB).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 3000 10000)
max=0
for n in "${sizes[@]}"; do [ "$n" -gt "$max" ] && max=$n; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --quiet -p hrdrift -p hrdrift-benches --examples --bins
bins=("${HRDRIFT_BIN:-target/release/hrdrift}")
[ -z "${OTHER_BIN:-}" ] || bins+=("$OTHER_BIN")

files=${FILES:-$work/athlete}
if [ -z "${FILES:-}" ]; then
    target/release/examples/write_athlete "$files" "$max" 9 > "$work/settings.txt" 2> /dev/null
else
    # The synthetic athlete's true settings, as `write_athlete` printed them.
    echo "hr_max=190 hr_rest=48 lthr=172 sex=male" > "$work/settings.txt"
fi
read -r -a settings < "$work/settings.txt"
find "$files" -name '*.fit' | sort -V > "$work/list"
[ "$(wc -l < "$work/list")" -ge "$max" ] || { echo "need $max FIT files in $files" >&2; exit 1; }

# Imports the first $2 files with binary $1, $3 = configured|estimated; prints "seconds MB".
import_once() {
    local bin=$1 n=$2 how=$3
    rm -rf "$work/sub" "$work/store"
    mkdir "$work/sub"
    head -n "$n" "$work/list" | while read -r f; do ln -s "$f" "$work/sub/"; done
    if [ "$how" = configured ]; then
        "$bin" --store "$work/store" athlete set "${settings[@]}" > /dev/null
    fi
    /usr/bin/time -v "$bin" --store "$work/store" import "$work/sub" --quiet \
        > /dev/null 2> "$work/time.txt"
    awk -F': ' '/Elapsed/ {split($2, t, ":"); s = t[1] * 60 + t[2]}
                /Maximum resident/ {kb = $2}
                END {printf "%.1f %.0f\n", s, kb / 1024}' "$work/time.txt"
}

echo "athlete: ${settings[*]}; $(nproc) cores"
printf '%-28s %-10s %8s %9s %8s\n' binary settings files wall "peak MB"
for how in configured estimated; do
    for n in "${sizes[@]}"; do
        for bin in "${bins[@]}"; do
            read -r s mb < <(import_once "$bin" "$n" "$how")
            printf '%-28s %-10s %8d %8.1fs %8d\n' "$bin" "$how" "$n" "$s" "$mb"
            echo "$bin $how $n $mb" >> "$work/all.txt"
        done
    done
done
echo "growth of peak RSS per 1,000 activities, from the smallest to the largest import:"
awk -v lo="${sizes[0]}" -v hi="$max" '
    $3 == lo {a[$1 " " $2] = $4}
    $3 == hi {b[$1 " " $2] = $4}
    END {for (k in a) if (k in b) printf "  %-40s %.1f MB\n", k, (b[k] - a[k]) * 1000 / (hi - lo)}' \
    "$work/all.txt"
