#!/usr/bin/env bash
# Static page serving, measured with wrk: starts `coi-register serve` on a data directory
# (default: a fresh demo) and prints wrk's figures for a register page, a person page
# and the chain head endpoint.
#
#   bash benches/serve.sh [BINARY] [DATA_DIR]
#   e.g. after `coi-register --data-dir /tmp/large demo --scale large`:
#        bash benches/serve.sh target/release/coi-register /tmp/large
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/coi-register}
DATA=${2:-}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/coi-serve-bench.XXXXXX")
if [ -z "$DATA" ]; then
    DATA=$TMP/data
    "$BIN" --data-dir "$DATA" demo >/dev/null
fi
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" --data-dir "$DATA" serve --bind "127.0.0.1:$PORT" >"$TMP/out" 2>"$TMP/err" &
PID=$!
trap 'kill $PID 2>/dev/null || true; rm -rf "$TMP"' EXIT
until curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
    kill -0 $PID 2>/dev/null || { cat "$TMP/err" >&2; exit 1; }
    sleep 0.2
done
ORG=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/orgs" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["slug"])')
PERSON=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/orgs/$ORG/people" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["slug"])')
for path in "/$ORG/interests/" "/$ORG/interests/$PERSON/" "/api/v1/orgs/$ORG/audit/head"; do
    echo "== GET $path"
    wrk -t2 -c64 -d10s "http://127.0.0.1:$PORT$path" | grep -E "Requests/sec|Latency|Transfer/sec|requests in"
done
