#!/usr/bin/env bash
# One module's kill rate, quickly: make mutate MODULE='lifecycle/serving/*' TESTS='tests/unit/test_serving.py ...'
# Copies the checkout to ${MUTATE_DIR:-/tmp/lifecycle-mutate}/<module> (earlier results there are kept, so only
# changed functions are re-tested; delete the folder to re-test survivors after adding tests), limits
# [tool.mutmut] to MODULE and the TESTS that reach it, runs mutmut and prints the table and survivors
# (benchmarks/mutation_table.py). The per-module tables in benchmarks/README.md were made this way.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
module=$1; shift
[ $# -gt 0 ] || { echo "usage: $0 'lifecycle/serving/*' tests/unit/test_serving.py ..." >&2; exit 2; }
dst=${MUTATE_DIR:-/tmp/lifecycle-mutate}/$(echo "$module" | tr '/*.' '___')
mkdir -p "$dst"
tar -C "$root" --exclude=.git --exclude=mutants --exclude=.venv --exclude='./data/*.db*' -cf - . | tar -C "$dst" -xf -
cd "$dst"
"$root/.venv/bin/python" - "$module" "$@" <<'PY'
import json, re, sys
module, tests = sys.argv[1], sys.argv[2:]
s = open("pyproject.toml").read()
s = re.sub(r"only_mutate = \[.*?\]\n", "only_mutate = " + json.dumps([module]) + "\n", s, flags=re.S)
s = re.sub(r"pytest_add_cli_args_test_selection = \[.*?\]\n",
           "pytest_add_cli_args_test_selection = " + json.dumps(tests) + "\n", s, flags=re.S)
open("pyproject.toml", "w").write(s)
PY
"$root/.venv/bin/mutmut" run --max-children 2 > run.log 2>&1 || { tr '\r' '\n' < run.log | grep -v '^\s*$' | tail -20; exit 1; }
"$root/.venv/bin/python" benchmarks/mutation_table.py
