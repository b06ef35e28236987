#!/usr/bin/env bash
# Side by side, in one run: Python's fitdecode (decode only, one process) against a whole
# `hrdrift import` (decode, clean, per-activity metrics, dedup, Parquet store) of the same folder
# of FIT files, in the ways an import can meet it:
#   configured   the athlete's settings are set before the import (`hrdrift athlete set`), so
#                the decode workers compute every activity's metrics while it is in memory;
#   estimated    a new store with nothing configured: HRmax and LTHR are estimated from all the
#                files, so the metrics wait for the end of the import and read every activity back;
#   no workers   configured, but with the metrics left to the pass after the import
#                (HRDRIFT_IMPORT_METRICS=0), as before the decode workers computed them.
# Then the configured import pinned to one core (taskset), a re-import, and peak RSS.
# Usage: benches/side_by_side.sh [SYNTHETIC_ACTIVITIES]   (default 300)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-300}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
venv=${FITDECODE_VENV:-/tmp/hrdrift-fitdecode-venv}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install --quiet 'fitdecode==0.10.0'

mkdir -p "$work/files"
find tests/fixtures/fit -name '*.fit' -exec cp {} "$work/files/" \;
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --quiet -p hrdrift -p hrdrift-benches --examples --bins
bin=${HRDRIFT_BIN:-target/release/hrdrift}
# shellcheck disable=SC2207
settings=($(${WRITE_ATHLETE:-target/release/examples/write_athlete} "$work/files/athlete" "$n" 1 2> /dev/null))
rm -f "$work/files/athlete/truth.json"
files=$(find "$work/files" -name '*.fit' | wc -l)
mb=$(du -sb "$work/files" | awk '{printf "%.1f", $1/1e6}')
echo "folder: $files FIT files, $mb MB ($(nproc) cores); athlete: ${settings[*]}"

cat > "$work/fitdecode_all.py" <<'PY'
import sys, time, pathlib, fitdecode
files = sorted(pathlib.Path(sys.argv[1]).rglob("*.fit"))
t = time.perf_counter(); records = 0; failed = 0
for f in files:
    try:
        with fitdecode.FitReader(str(f), check_crc=fitdecode.CrcCheck.DISABLED,
                                 error_handling=fitdecode.ErrorHandling.IGNORE) as r:
            for frame in r:
                if frame.frame_type == fitdecode.FIT_FRAME_DATA and frame.name == "record":
                    records += 1
    except Exception:
        failed += 1
print(f"{time.perf_counter() - t:.3f} {records} {failed}")
PY

# Imports into a new store; prints the seconds. $1: configured|estimated; the rest: env.
import_once() {
    local how=$1; shift
    rm -rf "$work/store"
    if [ "$how" = configured ]; then
        "$bin" --store "$work/store" athlete set "${settings[@]}" > /dev/null
    fi
    local t0 t1
    t0=$(date +%s.%N)
    env "$@" "$bin" --store "$work/store" import "$work/files" --quiet > "$work/import-$how.txt"
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

runs=${RUNS:-3}
py=(); conf=(); est=(); nowork=(); one=()
for _ in $(seq "$runs"); do
  py+=("$("$venv/bin/python" "$work/fitdecode_all.py" "$work/files")")
  conf+=("$(import_once configured)")
  est+=("$(import_once estimated)")
  nowork+=("$(import_once configured HRDRIFT_IMPORT_METRICS=0)")
  one+=("$(import_once configured taskset -c 0)")
done
py_med=$(printf '%s\n' "${py[@]}" | awk '{print $1}' | median)
ratio() { echo "scale=1; $py_med / $1" | bc; }
c=$(printf '%s\n' "${conf[@]}" | median)
e=$(printf '%s\n' "${est[@]}" | median)
w=$(printf '%s\n' "${nowork[@]}" | median)
o=$(printf '%s\n' "${one[@]}" | median)
echo "medians of $runs runs, interleaved:"
echo "fitdecode, decode only:            ${py_med} s (records, failed: $(echo "${py[0]}" | cut -d' ' -f2-))"
echo "hrdrift import, configured:        ${c} s = $(ratio "$c")x fitdecode"
sed 's/^/    /' "$work/import-configured.txt"
echo "hrdrift import, estimated:         ${e} s = $(ratio "$e")x fitdecode"
sed 's/^/    /' "$work/import-estimated.txt"
echo "configured, metrics after import:  ${w} s = $(ratio "$w")x fitdecode"
echo "configured, one core (taskset):    ${o} s; two cores are $(echo "scale=2; $o / $c" | bc)x faster"
echo "--- re-import (everything known):"
t0=$(date +%s.%N); "$bin" --store "$work/store" import "$work/files" --quiet | head -n 1; t1=$(date +%s.%N)
echo "re-import: $(echo "$t1 - $t0" | bc) s"
echo "--- peak memory of the configured import:"
rm -rf "$work/store"
"$bin" --store "$work/store" athlete set "${settings[@]}" > /dev/null
/usr/bin/time -v "$bin" --store "$work/store" import "$work/files" --quiet 2>&1 >/dev/null | grep -E "Maximum resident"
