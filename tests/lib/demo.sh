# The demo server, started the same way by every script that tests the real binary
# (tests/e2e.sh, tests/html/run.sh, tests/browser/run.sh, tests/schemathesis.sh). Source it
# from the repository's root after `set -euo pipefail`:
#
#   DEMO_NAME=html; . tests/lib/demo.sh   a temporary directory $TMP, removed on exit with
#                                         the server; `fail MESSAGE` (the server's last log
#                                         lines, exit 1; a script may define
#                                         `demo_failed` to say more first)
#   demo_start BINARY                     `BINARY serve --demo` on a free port with its own
#                                         data directory in $TMP: sets $BASE and SERVER_PID,
#                                         and returns once it answers /healthz and has
#                                         printed the demo token ($TOKEN)
#   demo_accounts                         the governance and declarant accounts it printed,
#                                         one "ROLE EMAIL PASSWORD" line each
#
# Bash only; needs curl and python3.

: "${DEMO_NAME:?set DEMO_NAME before sourcing tests/lib/demo.sh}"
SERVER_PID=
TMP=$(mktemp -d "${TMPDIR:-/tmp}/coi-$DEMO_NAME.XXXXXX")

demo_cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap demo_cleanup EXIT

fail() {
    echo "$DEMO_NAME: FAIL: $*" >&2
    if [ -s "$TMP/server.err" ]; then
        echo "$DEMO_NAME: last lines of the server's log:" >&2
        tail -n 20 "$TMP/server.err" >&2
    fi
    if declare -F demo_failed >/dev/null; then demo_failed; fi
    exit 1
}

demo_start() {
    local bin=$1 deadline
    [ -x "$bin" ] || fail "no binary at $bin (run cargo build first, or pass its path)"
    command -v curl >/dev/null || fail "curl is needed"
    # The run's own data directory; nothing from the caller's environment.
    unset DATABASE_URL COI_DATA_DIR COI_SITE_DIR COI_BIND COI_PUBLIC_URL
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    BASE=http://127.0.0.1:$PORT
    echo "$DEMO_NAME: starting $bin serve --demo on $BASE (data in $TMP/data)"
    "$bin" --data-dir "$TMP/data" serve --demo --bind "127.0.0.1:$PORT" >"$TMP/server.out" 2>"$TMP/server.err" &
    SERVER_PID=$!
    # Ready when it answers and has printed the demo token (the demo is seeded and published).
    deadline=$((SECONDS + 120))
    until [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz" || true)" = 200 ] &&
        grep -q '^Demo API token' "$TMP/server.out"; do
        kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited"
        [ "$SECONDS" -lt "$deadline" ] || fail "the server did not start within 120s"
        sleep 0.2
    done
    TOKEN=$(sed -n 's/^Demo API token (governance, both organisations): \(coi_[A-Za-z0-9_]*\)$/\1/p' "$TMP/server.out")
    [ -n "$TOKEN" ] || fail "no demo token in the server's output"
}

demo_accounts() {
    local accounts
    # As the demo printed them: "  ROLE  EMAIL  PASSWORD[  declares for ...]".
    accounts=$(awk '$1 == "governance" || $1 == "declarant" { print $1, $2, $3 }' "$TMP/server.out")
    [ "$(printf '%s\n' "$accounts" | grep -c @)" = 2 ] ||
        fail "serve --demo did not print a governance and a declarant account: $(cat "$TMP/server.out")"
    printf '%s\n' "$accounts"
}
