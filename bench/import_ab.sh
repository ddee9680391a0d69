#!/bin/sh
# A/B of the bulk import on a shared machine: this worktree against BASE (e.g. a detached worktree of
# main), interleaved round by round so both see the same load; one JSON line per run, labelled.
#   bench/import_ab.sh BASE [ROUNDS=3] [BACKENDS=sqlite,postgres] [ROWS=10000]
# Both sides run this worktree's bench/import_bench.py (so both report the server's CPU) against their
# own code and migrations. Compare medians and the per-round ratios, not one run.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
base=$(cd "$1" && pwd)
rounds=${2:-3}
backends=${3:-sqlite,postgres}
rows=${4:-10000}
py=${PYTHON:-/work/main/.venv/bin/python}
shim=$(mktemp -d)
mkdir "$shim/bench"
: > "$shim/bench/__init__.py"
cp "$here/bench/import_bench.py" "$shim/bench/import_bench.py"
export HUIYIN_BENCH_PG_DB="${HUIYIN_BENCH_PG_DB:-huiyin_import_ab_$$}"
i=1
while [ "$i" -le "$rounds" ]; do
    for side in base branch; do
        if [ "$side" = base ]; then tree=$base; else tree=$here; fi
        # run from the shim: `python -m` puts the working directory first on sys.path
        (cd "$shim" && PYTHONPATH="$tree" HUIYIN_DEBUG=1 "$py" -m bench.import_bench \
            --rows "$rows" --backends "$backends") | sed "s/^{/{\"side\": \"$side\", \"round\": $i, /"
    done
    i=$((i + 1))
done
rm -rf "$shim"
