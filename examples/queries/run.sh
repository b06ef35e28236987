#!/usr/bin/env bash
# Runs the README's three queries on a store: run.sh STORE [PYTHON]. PYTHON (default python3)
# must have duckdb and polars (pip install duckdb polars).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python=${2:-python3}
cd "$1"
"$python" -c 'import duckdb, sys; print(duckdb.sql(open(sys.argv[1]).read()))' "$here/long_runs_by_month.sql"
"$python" -c 'import duckdb, sys; print(duckdb.sql(open(sys.argv[1]).read()))' "$here/mornings_by_week.sql"
"$python" "$here/weekly_zones.py"
