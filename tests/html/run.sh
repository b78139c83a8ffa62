#!/usr/bin/env bash
# HTML validity of every kind of page: the Nu HTML Checker (vnu-jar, on Java) over one page
# of each kind of the published site and of the web app (signed out, and signed in as the
# demo's governance lead and declarant, with each form's refusal when submitted empty).
#
#   bash tests/html/run.sh [BINARY]
#
# BINARY defaults to target/debug/coi-register (this script builds nothing). Starts
# `BINARY serve --demo` on a free port with its own data directory, installs vnu-jar into
# tests/html/node_modules (tests/html/package-lock.json) if it is missing, fetches the pages
# with tests/html/pages.py and checks them. Exits 1 on any error the checker reports.
# Needs java, node/npm, python3 and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${1:-${CARGO_TARGET_DIR:-target}/debug/coi-register}
SERVER_PID=
TMP=$(mktemp -d "${TMPDIR:-/tmp}/coi-html.XXXXXX")
VNU=tests/html/node_modules/vnu-jar/build/dist/vnu.jar

cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
    echo "html: FAIL: $*" >&2
    if [ -s "$TMP/server.err" ]; then
        echo "html: last lines of the server's log:" >&2
        tail -n 20 "$TMP/server.err" >&2
    fi
    exit 1
}

[ -x "$BIN" ] || fail "no binary at $BIN (run cargo build first, or pass its path)"
command -v java >/dev/null || fail "java is needed (apt-get install default-jre-headless)"
command -v curl >/dev/null || fail "curl is needed"
if [ ! -f "$VNU" ]; then
    echo "html: npm ci (tests/html)"
    (cd tests/html && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in tests/html"
fi

# The test's own data directory; nothing from the caller's environment.
unset DATABASE_URL COI_DATA_DIR COI_SITE_DIR COI_BIND COI_PUBLIC_URL
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT
echo "html: starting $BIN serve --demo on $BASE (data in $TMP/data)"
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
COI_HTML_ACCOUNTS=$(awk '$1 == "governance" || $1 == "declarant" { print $1, $2, $3 }' "$TMP/server.out")
[ "$(printf '%s\n' "$COI_HTML_ACCOUNTS" | grep -c @)" = 2 ] ||
    fail "serve --demo did not print a governance and a declarant account: $(cat "$TMP/server.out")"
export COI_HTML_ACCOUNTS

python3 tests/html/pages.py "$BASE" "$TMP/pages" || fail "could not fetch the pages"

# One report line a problem: "FILE":LINE.COL-LINE.COL: error: MESSAGE; named by URL below.
set +e
java -jar "$VNU" --errors-only --format gnu "$TMP"/pages/*.html 2>"$TMP/vnu.out"
rc=$?
set -e
if [ "$rc" -ne 0 ] || [ -s "$TMP/vnu.out" ]; then
    python3 - "$TMP/pages/index.tsv" "$TMP/vnu.out" <<'PY'
import collections, os, re, sys
where = dict(line.rstrip("\n").split("\t", 1) for line in open(sys.argv[1], encoding="utf-8"))
by_message, by_group = collections.Counter(), collections.Counter()
for line in open(sys.argv[2], encoding="utf-8"):
    m = re.match(r'^"([^"]*)":(\S*): (\w+): (.*)$', line.rstrip("\n"))
    if not m:
        print(line.rstrip("\n"))
        continue
    name = os.path.basename(m.group(1))
    if sum(by_message.values()) < 100:
        print(f"{where.get(name, name)}:{m.group(2)}: {m.group(3)}: {m.group(4)}")
    by_message[m.group(4)] += 1
    by_group["public site" if "(public:" in where.get(name, "") else "web app"] += 1
groups = ", ".join(f"{n} on the {g}" for g, n in sorted(by_group.items()))
print(f"\nhtml: {sum(by_message.values())} errors ({groups}):")
for message, n in by_message.most_common():
    print(f"  {n:5d}  {message}")
PY
    fail "the Nu HTML Checker found errors (above)"
fi
echo "html: $(wc -l <"$TMP/pages/index.tsv") pages, no errors"
