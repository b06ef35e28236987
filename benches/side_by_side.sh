#!/usr/bin/env bash
# Side by side, in one run: Python's fitdecode (decode only, one process) against a whole
# `hrdrift import` (decode, clean, dedup, Parquet store) of the same folder of FIT files.
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
find ../shared/fixtures/fit -name '*.fit' -exec cp {} "$work/files/" \;
[ -n "${SKIP_BUILD:-}" ] || cargo build --release --quiet -p hrdrift -p hrdrift-benches --examples --bins
target/release/examples/write_athlete "$work/files/athlete" "$n" 1 > /dev/null
rm -f "$work/files/athlete/truth.json"
files=$(find "$work/files" -name '*.fit' | wc -l)
mb=$(du -sb "$work/files" | awk '{printf "%.1f", $1/1e6}')
echo "folder: $files FIT files, $mb MB ($(nproc) cores)"

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
runs=${RUNS:-3}
py=(); rs=()
for i in $(seq "$runs"); do
  py+=("$("$venv/bin/python" "$work/fitdecode_all.py" "$work/files")")
  rm -rf "$work/store"
  t0=$(date +%s.%N)
  target/release/hrdrift --store "$work/store" import "$work/files" --quiet > "$work/import.txt"
  t1=$(date +%s.%N)
  rs+=("$(echo "$t1 - $t0" | bc)")
done
py_med=$(printf '%s\n' "${py[@]}" | awk '{print $1}' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
rs_med=$(printf '%s\n' "${rs[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
echo "fitdecode decode only: median ${py_med} s over $runs runs (records, failed: $(echo "${py[0]}" | cut -d' ' -f2-))"
echo "hrdrift import:        median ${rs_med} s over $runs runs ($(head -n 1 "$work/import.txt"))"
echo "ratio: $(echo "scale=1; $py_med / $rs_med" | bc)x"
echo "--- one core (RAYON_NUM_THREADS=1):"
rm -rf "$work/store"; t0=$(date +%s.%N)
RAYON_NUM_THREADS=1 target/release/hrdrift --store "$work/store" import "$work/files" --quiet > /dev/null
t1=$(date +%s.%N); echo "hrdrift import, 1 thread: $(echo "$t1 - $t0" | bc) s"
echo "--- re-import (everything known):"
t0=$(date +%s.%N); target/release/hrdrift --store "$work/store" import "$work/files" --quiet | head -n 1; t1=$(date +%s.%N)
echo "re-import: $(echo "$t1 - $t0" | bc) s"
echo "--- peak memory of the import:"
rm -rf "$work/store"
/usr/bin/time -v target/release/hrdrift --store "$work/store" import "$work/files" --quiet 2>&1 >/dev/null | grep -E "Maximum resident"
