#!/usr/bin/env bash
# Load and query figures on a synthetic athlete, printed as a table: a whole import (time and
# peak RSS), a re-import with nothing new, then each query command on the resulting store and
# `nightly` with nothing new. Medians of RUNS runs for the quick commands.
# Usage: benches/load.sh [ACTIVITIES] [SEED]   (default 3000, about ten years of one athlete)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3000}
seed=${2:-9}
runs=${RUNS:-5}
work=${LOAD_DIR:-$(mktemp -d)}
[ -n "${LOAD_DIR:-}" ] || trap 'rm -rf "$work"' EXIT
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --quiet -p hrdrift -p hrdrift-benches --examples --bins
bin=${HRDRIFT_BIN:-target/release/hrdrift}
if [ ! -d "$work/files" ]; then
    ${WRITE_ATHLETE:-target/release/examples/write_athlete} "$work/files" "$n" "$seed" > /dev/null 2>&1
fi
rm -f "$work/files/truth.json"
mb=$(du -sb "$work/files" | awk '{printf "%.0f", $1/1e6}')
echo "athlete: $n activities, $mb MB of FIT, $(nproc) cores"

# Prints "seconds peak_rss_mb" of one command.
measure() {
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out" 2> "$work/err" || {
        code=$?; [ "$code" = 5 ] || { cat "$work/err"; exit "$code"; }
    }
    awk '{printf "%.2f %.0f", $1, $2/1024}' "$work/time"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

rm -rf "$work/store" "$work/report"
read -r t rss <<< "$(measure "$bin" --store "$work/store" import --quiet "$work/files")"
printf '%-34s %8s s %8s MB\n' "import (decode, metrics, store)" "$t" "$rss"
# The import's own split: files decoded and stored, then the metrics pass.
sed -n 's/.*files in \([0-9.]*\) s).*/  decode + metrics + store: \1 s/p; s/^metrics: computed for \([0-9]*\) activities while decoding; \([0-9]*\) read back and computed in \([0-9.]*\) s/  metrics: \1 while decoding, \2 read back after: \3 s/p' "$work/out"
read -r t rss <<< "$(measure "$bin" --store "$work/store" import --quiet "$work/files")"
printf '%-34s %8s s %8s MB\n' "re-import, nothing new" "$t" "$rss"
# The files are named NNNN-YYYY-MM-DD-kind.fit: the last day of the history.
asof=$(ls "$work/files" | sort | tail -n 1 | cut -d- -f2-4)
cmds=("activities --json"
      "trends --json --as-of $asof"
      "weeks --json --as-of $asof"
      "readiness --json --as-of $asof"
      "report --out $work/report --as-of $asof"
      "nightly --watch $work/files --out $work/report --fail-on none --as-of $asof")
for cmd in "${cmds[@]}"; do
    # shellcheck disable=SC2086
    times=$(for _ in $(seq "$runs"); do measure "$bin" --store "$work/store" $cmd; echo; done)
    t=$(echo "$times" | awk 'NF {print $1}' | median)
    rss=$(echo "$times" | awk 'NF {print $2}' | median)
    printf '%-34s %8s s %8s MB  (median of %s)\n' "${cmd%% *}" "$t" "$rss" "$runs"
done
