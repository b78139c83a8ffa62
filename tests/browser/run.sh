#!/usr/bin/env bash
# Accessibility test of the published site in a real browser (WCAG 2.2 AA with axe-core).
#
#   bash tests/browser/run.sh [BINARY [PATH...]]
#
# BINARY defaults to target/debug/coi-register (this script builds nothing). Starts
# `BINARY serve --demo` on a free port with its own data directory, installs the test's
# npm packages (tests/browser/package-lock.json) if they are missing, runs axe.mjs on the
# demo site (every kind of public page and of web app page, found by following links; or
# only the PATHs given) and stops the server. The web app is checked signed out, and signed
# in through the sign-in form as the demo's governance lead and its declarant, with the
# passwords `serve --demo` prints once. Screenshots go to target/axe-screenshots/.
# Needs node, npm, python3, curl and Chromium at /usr/bin/chromium (or $CHROMIUM).
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${1:-${CARGO_TARGET_DIR:-target}/debug/coi-register}
[ $# -eq 0 ] || shift
SERVER_PID=
TMP=$(mktemp -d "${TMPDIR:-/tmp}/coi-axe.XXXXXX")

cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
    echo "browser: FAIL: $*" >&2
    if [ -s "$TMP/server.err" ]; then
        echo "browser: last lines of the server's log:" >&2
        tail -n 20 "$TMP/server.err" >&2
    fi
    exit 1
}

[ -x "$BIN" ] || fail "no binary at $BIN (run cargo build first, or pass its path)"
command -v node >/dev/null || fail "node is needed"
command -v curl >/dev/null || fail "curl is needed"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || fail "no Chromium at ${CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)"

if [ ! -d tests/browser/node_modules/axe-core ] || [ ! -d tests/browser/node_modules/puppeteer-core ]; then
    echo "browser: npm ci (tests/browser)"
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in tests/browser"
fi

# The test's own data directory; nothing from the caller's environment.
unset DATABASE_URL COI_DATA_DIR COI_SITE_DIR COI_BIND COI_PUBLIC_URL
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
echo "browser: starting $BIN serve --demo on $BASE (data in $TMP/data)"
"$BIN" --data-dir "$TMP/data" serve --demo --bind "127.0.0.1:$PORT" >"$TMP/server.out" 2>"$TMP/server.err" &
SERVER_PID=$!

# Ready when it answers and has printed the demo token (the demo is seeded and published).
deadline=$((SECONDS + 120))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/healthz" || true)" = 200 ] &&
    grep -q '^Demo API token' "$TMP/server.out"; do
    kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited"
    [ "$SECONDS" -lt "$deadline" ] || fail "the server did not start within 120s"
    sleep 0.2
done

# The demo's accounts, as it printed them: "  ROLE  EMAIL  PASSWORD[  declares for ...]".
AXE_ACCOUNTS=$(awk '$1 == "governance" || $1 == "declarant" { print $1, $2, $3 }' "$TMP/server.out")
[ "$(printf '%s\n' "$AXE_ACCOUNTS" | grep -c @)" = 2 ] ||
    fail "serve --demo did not print a governance and a declarant account: $(cat "$TMP/server.out")"
export AXE_ACCOUNTS

node tests/browser/axe.mjs "$BASE" "$@"
