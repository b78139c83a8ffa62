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
VNU=tests/html/node_modules/vnu-jar/build/dist/vnu.jar
DEMO_NAME=html
. tests/lib/demo.sh

command -v java >/dev/null || fail "java is needed (apt-get install default-jre-headless)"
if [ ! -f "$VNU" ]; then
    echo "html: npm ci (tests/html)"
    (cd tests/html && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in tests/html"
fi

demo_start "$BIN"
COI_HTML_ACCOUNTS=$(demo_accounts)
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
