#!/usr/bin/env bash
# Build the wheel, install it into a fresh venv outside the checkout and use it from an empty directory:
# the installed package must work with no repository around it (data, app, migrations all inside the wheel).
# Called by `make test` after the test suite. Every step is bounded; any failure fails the run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
py="${PY:-$root/.venv/bin/python}"
tmp="$(mktemp -d /tmp/lifecycle-wheel-smoke.XXXXXX)"
trap '[ -z "${app_pid:-}" ] || kill "$app_pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
start=$(date +%s)
step() { printf '[wheel-smoke %3ss] %s\n' "$(( $(date +%s) - start ))" "$*"; }

step "building the wheel"
"$py" -m pip wheel -q --no-deps "$root" -w "$tmp/dist" 2>&1 | { grep -v "is ignored: it is neither" || true; }
wheel="$(ls "$tmp"/dist/*.whl)"
step "installing $(basename "$wheel") into a fresh venv"
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q "$wheel" 2>&1 | { grep -v "is ignored: it is neither" || true; }
bin="$tmp/venv/bin"
mkdir -p "$tmp/work" "$tmp/home" && cd "$tmp/work"
export HOME="$tmp/home" LIFECYCLE_USER=smoke
unset LIFECYCLE_DATABASE_URL

where="$("$bin/python" -c 'import lifecycle, sys; print(lifecycle.__file__)')"
case "$where" in "$tmp/venv"/*) ;; *) echo "lifecycle imported from $where, not from the wheel"; exit 1;; esac

step "lifecycle memory"
"$bin/lifecycle" memory --model llama-2-7b --json > memory.json
"$bin/python" -c 'import json; d = json.load(open("memory.json")); assert d["params"] == 6738415616, d["params"]'
step "lifecycle scaling"
"$bin/lifecycle" scaling --law chinchilla3 --compute 1e23 --json > scaling.json
"$bin/python" -c 'import json; d = json.load(open("scaling.json")); assert d["params"] > 1e9, d'
step "lifecycle projects import (a version-1 export) into the default database"
"$bin/lifecycle" projects import "$root/tests/data/v1/projects-v1.json"
test -s "$HOME/.local/share/genai-lifecycle-planner/lifecycle.db"  # the user's data folder, not site-packages
"$bin/lifecycle" projects list | grep -q "Contract summarizer"
step "lifecycle report --format html"
"$bin/lifecycle" report "Contract summarizer" --format html -o report.html
"$bin/python" -c 'import pathlib; t = pathlib.Path("report.html").read_text(); assert "Contract summarizer" in t and len(t) > 10000'

step "lifecycle app answers /_stcore/health"
port="$("$bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$bin/lifecycle" app --port "$port" --address 127.0.0.1 > app.log 2>&1 &
app_pid=$!
for _ in $(seq 1 120); do  # up to 120 tries, a quarter of a second apart
  if "$bin/python" -c "import urllib.request as u; assert u.urlopen('http://127.0.0.1:$port/_stcore/health', timeout=2).read() == b'ok'" 2>/dev/null; then
    ok=1; break
  fi
  kill -0 "$app_pid" 2>/dev/null || { cat app.log; echo "lifecycle app exited"; exit 1; }
  sleep 0.25
done
[ "${ok:-0}" = 1 ] || { cat app.log; echo "lifecycle app did not answer /_stcore/health"; exit 1; }
"$bin/python" -c "import urllib.request as u; assert u.urlopen('http://127.0.0.1:$port/', timeout=5).status == 200"
step "kill (SIGTERM to the command alone) ends the server: port free, no child left"
server_pids="$(cat /proc/"$app_pid"/task/*/children 2>/dev/null || true)"
[ -n "$server_pids" ] || { echo "lifecycle app started no server process"; exit 1; }
kill "$app_pid"
for _ in $(seq 1 120); do  # up to 120 tries, a quarter of a second apart
  left=""
  for p in $server_pids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
  if ! kill -0 "$app_pid" 2>/dev/null && [ -z "$left" ]; then stopped=1; break; fi
  sleep 0.25
done
[ "${stopped:-0}" = 1 ] || { echo "after kill $app_pid, still running: $app_pid?$left"; exit 1; }
if "$bin/python" -c "import socket, sys; s = socket.socket(); s.settimeout(1); sys.exit(s.connect_ex(('127.0.0.1', $port)) != 0)"; then
  echo "port $port still answers after the app was stopped"; exit 1
fi
step "ok: the wheel works from an empty directory"
