#!/usr/bin/env bash
# End-to-end test: the newcomer's flow against the real binary.
#
#   bash tests/e2e.sh                      builds target/debug/coi-register with `cargo build`
#   COI_BIN=path/to/coi-register bash tests/e2e.sh    uses that binary instead
#
# Starts `coi-register serve --demo` on a free port with its own data directory, reads the
# public site, feeds and open data, records a declaration through the JSON API and waits
# for it to appear, follows the README's walkthrough (signs in as the demo governance lead
# through the sign-in form, declares an interest through the web form, and finds it on the
# public register and in the feeds), exports the audit chain twice (HTTP download and CLI), verifies both
# with `coi-register verify` and tools/verify_chain.py, and checks that both verifiers
# reject a copy with one character changed. Needs bash, curl and python3 (stdlib only).
set -euo pipefail
cd "$(dirname "$0")/.."

ORG=northshire-ccg
PASSED=0
DEMO_NAME=e2e
. tests/lib/demo.sh
demo_failed() { echo "e2e: $PASSED passed, 1 failed" >&2; }

pass() {
    PASSED=$((PASSED + 1))
    echo "  ok $PASSED  $*"
}

# check DESCRIPTION COMMAND...: the command must succeed.
check() {
    local what=$1
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

# eventually SECONDS DESCRIPTION COMMAND...: poll until the command succeeds, or fail.
eventually() {
    local seconds=$1 what=$2
    shift 2
    local deadline=$((SECONDS + seconds))
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || fail "$what (still not true after ${seconds}s)"
        sleep 0.2
    done
    pass "$what"
}

# fetch PATH FILE: GET $BASE$PATH into FILE; prints the HTTP status (000 if no answer).
fetch() {
    curl -sS -o "$2" -w '%{http_code}' "$BASE$1" 2>"$TMP/curl.err" || true
}

# post PATH JSON FILE [TOKEN]: POST JSON into FILE; prints the HTTP status.
post() {
    local auth=()
    [ -z "${4:-}" ] || auth=(-H "Authorization: Bearer $4")
    curl -sS -o "$3" -w '%{http_code}' -X POST -H 'Content-Type: application/json' "${auth[@]}" \
        --data-binary "$2" "$BASE$1" 2>"$TMP/curl.err" || true
}

quiet() { "$@" >"$TMP/quiet.out" 2>&1 || { cat "$TMP/quiet.out" >&2; return 1; }; }
contains() { grep -qF -- "$2" "$1"; }
lacks_script() { ! grep -qi '<script' "$1"; }
has_seq() { grep -Eq '(^|[^0-9])seq 5([^0-9]|$)' "$1"; }

# json FILE EXPR: print a value from a JSON file (EXPR is Python over `d`).
json() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# page PATH TEXT: the page answers 200, contains TEXT and no <script>.
page() {
    local path=$1 text=$2 file=$TMP/page.html code
    code=$(fetch "$path" "$file")
    [ "$code" = 200 ] || fail "GET $path answered $code, expected 200 $(cat "$TMP/curl.err")"
    contains "$file" "$text" || fail "GET $path does not contain $text"
    lacks_script "$file" || fail "GET $path contains <script"
    pass "GET $path: 200, has $text, no <script>"
}

# rss FILE [SEQ]: an RSS 2.0 document whose items all carry a guid and audit:seq (and,
# if SEQ is given, one item for that audit entry).
rss() {
    python3 - "$@" <<'PY'
import re, sys
import xml.etree.ElementTree as ET
AUDIT = "{urn:coi-register:audit:1}"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "rss" and root.get("version") == "2.0", f"root is <{root.tag} version={root.get('version')}>"
channel = root.find("channel")
assert channel is not None and channel.findtext("title"), "no <channel> with a <title>"
items = channel.findall("item")
assert items, "no items"
seqs = []
for item in items:
    assert item.findtext("guid"), f"item without a guid: {item.findtext('title')}"
    seq = item.findtext(AUDIT + "seq")
    assert seq and seq.isdigit(), f"item without audit:seq: {item.findtext('title')}"
    assert re.fullmatch("[0-9a-f]{64}", item.findtext(AUDIT + "entry_sha256") or ""), "item without audit:entry_sha256"
    seqs.append(int(seq))
if len(sys.argv) > 2:
    assert int(sys.argv[2]) in seqs, f"no item for audit seq {sys.argv[2]} (newest is {max(seqs)})"
PY
}

# csv FILE HEADER: starts with a UTF-8 byte order mark, then the header row.
csv() {
    python3 - "$1" "$2" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark"
first = data[3:].split(b"\r\n")[0].split(b"\n")[0].decode("utf-8")
assert first.startswith(sys.argv[2]), f"header row is {first!r}"
PY
}

# --- build and start ------------------------------------------------------------------

if [ -n "${COI_BIN:-}" ]; then
    BIN=$COI_BIN
else
    echo "e2e: cargo build"
    cargo build --quiet || fail "cargo build"
    BIN=${CARGO_TARGET_DIR:-target}/debug/coi-register
fi

demo_start "$BIN"
pass "serve --demo answers /healthz and prints a demo token"
coi() { "$BIN" --data-dir "$TMP/data" "$@"; }

# --- the public site ------------------------------------------------------------------

page / "<h1>Registers of interests, gifts and hospitality</h1>"
page / "href=\"/$ORG/\""
page "/$ORG/" "<h1>NHS Northshire CCG</h1>"
page "/$ORG/interests/" "<h1>Register of interests</h1>"
PERSON=$(grep -o "href=\"/$ORG/interests/[a-z0-9-]*/\"" "$TMP/page.html" | head -n 1 | cut -d/ -f4)
check "the register of interests links to a person's page" test -n "$PERSON"
page "/$ORG/interests/$PERSON/" "<h2>Declared interests</h2>"
page "/$ORG/gifts/" "<h1>Register of gifts and hospitality</h1>"
page "/$ORG/audit/" "<h1>Audit log</h1>"
page "/$ORG/audit/" "chain.jsonl"

for feed in all interests gifts decisions committees/pccc; do
    code=$(fetch "/$ORG/feeds/$feed.xml" "$TMP/${feed//\//-}.xml")
    check "GET /$ORG/feeds/$feed.xml answers 200" test "$code" = 200
    check "/$ORG/feeds/$feed.xml is RSS 2.0 with guid and audit:seq on every item" rss "$TMP/${feed//\//-}.xml"
done

# The demo's committee business: a meeting where GP members left the room and an item
# was deferred because that left it inquorate.
code=$(fetch "/api/v1/orgs/$ORG/committees/pccc" "$TMP/pccc.json")
check "GET the demo's PCCC through the API answers 200" test "$code" = 200
check "the PCCC is properly constituted today" test "$(json "$TMP/pccc.json" 'd["constitution"]["valid"]')" = True
DEFERRED_DATE=
for mid in $(json "$TMP/pccc.json" '" ".join(str(m["id"]) for m in d["meetings"])'); do
    fetch "/api/v1/orgs/$ORG/meetings/$mid" "$TMP/meeting.json" >/dev/null
    if [ "$(json "$TMP/meeting.json" 'any(i["outcome"] == "deferred" for i in d["items"])')" = True ]; then
        DEFERRED_DATE=$(json "$TMP/meeting.json" 'd["held_on"]')
        REASON=$(json "$TMP/meeting.json" '[i["reason"] for i in d["items"] if i["outcome"] == "deferred"][0]')
        break
    fi
done
check "one PCCC meeting has a deferred item" test -n "$DEFERRED_DATE"
page "/$ORG/committees/pccc/" "<h1>"
page "/$ORG/committees/pccc/meetings/$DEFERRED_DATE/" "Deferred"
check "the meeting page shows the conflicted members leaving the room" contains "$TMP/page.html" "Left the room"
check "the meeting page gives the reason the item was deferred" contains "$TMP/page.html" "$(printf '%s' "$REASON" | sed 's/&/\&amp;/g; s/</\&lt;/g; s/>/\&gt;/g' | cut -c1-40)"
page "/$ORG/decisions/" "<h1>Register of procurement decisions</h1>"
page "/$ORG/breaches/" "<h1>"
page "/$ORG/gp-earnings/" "<h1>Register of GP earnings</h1>"
check "the register of GP earnings shows a practice's mean earnings" contains "$TMP/page.html" "Mean net earnings per GP"

for register in interests:id,version,person gifts:id,version,person; do
    name=${register%%:*}
    code=$(fetch "/$ORG/data/$name.csv" "$TMP/$name.csv")
    check "GET /$ORG/data/$name.csv answers 200" test "$code" = 200
    check "$name.csv starts with a UTF-8 BOM and a header row" csv "$TMP/$name.csv" "${register#*:}"
    code=$(fetch "/$ORG/data/$name.json" "$TMP/$name.json")
    check "GET /$ORG/data/$name.json answers 200 with records" \
        test "$code" = 200 -a "$(json "$TMP/$name.json" 'len(d["records"]) > 0')" = True
done

# --- a write through the API reaches the site -----------------------------------------

API=/api/v1/orgs/$ORG
MARK="e2e-$RANDOM$RANDOM"
BODY=$(
    cat <<JSON
{"person": "$PERSON", "interest_type": "financial",
 "description": "Shares in **Example Diagnostics Ltd** ($MARK) <script>alert(1)</script>",
 "body": "Example Diagnostics Ltd", "arose_on": "2024-04-01",
 "mitigation": "Leaves the meeting for any item concerning diagnostics"}
JSON
)
code=$(post "$API/declarations" "$BODY" "$TMP/anon.json")
check "POST a declaration without a token answers 401" test "$code" = 401
code=$(post "$API/declarations" "{\"person\": \"$PERSON\", \"interest_type\": \"shares\"}" "$TMP/invalid.json" "$TOKEN")
check "POST an invalid declaration answers 422" test "$code" = 422
check "the 422 names the interest_type field" \
    test "$(json "$TMP/invalid.json" 'd["error"] + ":" + str("interest_type" in d["fields"])')" = "validation failed:True"
code=$(post "$API/declarations" "$BODY" "$TMP/created.json" "$TOKEN")
check "POST a declaration with the demo token answers 201" test "$code" = 201
ID=$(json "$TMP/created.json" 'd["id"]')
SEQ=$(json "$TMP/created.json" 'd["audit_seq"]')

person_page_shows_it() {
    [ "$(fetch "/$ORG/interests/$PERSON/" "$TMP/person.html")" = 200 ] &&
        contains "$TMP/person.html" "id=\"declaration-$ID\"" && contains "$TMP/person.html" "$MARK"
}
eventually 10 "declaration $ID appears on /$ORG/interests/$PERSON/" person_page_shows_it
check "its markdown is rendered" contains "$TMP/person.html" "<strong>Example Diagnostics Ltd</strong>"
check "the <script> in its description does not reach the page" lacks_script "$TMP/person.html"
in_feed() { [ "$(fetch "/$ORG/feeds/$1.xml" "$TMP/$1.xml")" = 200 ] && rss "$TMP/$1.xml" "$SEQ" 2>/dev/null; }
eventually 10 "the interests feed has an item for audit seq $SEQ" in_feed interests
eventually 10 "the all-changes feed has an item for audit seq $SEQ" in_feed all

# --- the README's walkthrough: sign in, declare an interest through the form ---------
# "A new user, following only the README, signs in as the demo governance lead, adds a
# declaration through the form, and sees it on the public register and in the feed."

JAR=$TMP/cookies.txt
# browse PATH FILE [CURL-ARGS...]: a request with the cookie jar, as a browser would make
# it (a POST when form fields are given); prints the status; headers in $TMP/headers.txt.
browse() {
    local path=$1 file=$2
    shift 2
    curl -sS -b "$JAR" -c "$JAR" -o "$file" -D "$TMP/headers.txt" -w '%{http_code}' "$@" "$BASE$path" \
        2>"$TMP/curl.err" || true
}
csrf_of() { sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' "$1" | head -n 1; }
location() { tr -d '\r' <"$TMP/headers.txt" | sed -n 's/^[Ll]ocation: *//p' | head -n 1; }
has_cookie() { grep -q "[[:space:]]$1[[:space:]]" "$JAR"; }

GOV_EMAIL=governance@northshire.example
GOV_PASSWORD=$(awk -v email="$GOV_EMAIL" '$1 == "governance" && $2 == email { print $3 }' "$TMP/server.out")
check "serve --demo printed the governance lead's password" test -n "$GOV_PASSWORD"

code=$(browse /admin/sign-in "$TMP/sign-in.html")
check "GET /admin/sign-in answers 200" test "$code" = 200
CSRF=$(csrf_of "$TMP/sign-in.html")
check "the sign-in form carries a CSRF token" test -n "$CSRF"
check "the sign-in form sets its CSRF cookie" has_cookie coi_sign_in
code=$(browse /admin/sign-in "$TMP/signed-in.html" --data-urlencode "csrf_token=$CSRF" \
    --data-urlencode "email=$GOV_EMAIL" --data-urlencode "password=$GOV_PASSWORD")
check "POST /admin/sign-in as $GOV_EMAIL answers 303 to /admin" test "$code $(location)" = "303 /admin"
check "signing in sets the session cookie" has_cookie coi_session
code=$(browse /admin "$TMP/admin.html")
check "GET /admin signed in answers 200 and names the account" \
    test "$code" = 200 -a "$(grep -c -F "$GOV_EMAIL" "$TMP/admin.html")" -gt 0
check "/admin links to Manage declarations for $ORG" \
    contains "$TMP/admin.html" "href=\"/admin/orgs/$ORG/declarations\">Manage declarations</a>"
code=$(browse "/admin/orgs/$ORG/declarations" "$TMP/declarations.html")
check "GET /admin/orgs/$ORG/declarations answers 200" test "$code" = 200
check "the declarations page has Declare an interest" \
    contains "$TMP/declarations.html" "href=\"/admin/orgs/$ORG/declarations/new\" role=\"button\" draggable=\"false\">Declare an interest</a>"
code=$(browse "/admin/orgs/$ORG/declarations/new" "$TMP/form.html")
check "GET /admin/orgs/$ORG/declarations/new answers 200" test "$code" = 200
check "the form offers $PERSON" contains "$TMP/form.html" "<option value=\"$PERSON\""
CSRF=$(csrf_of "$TMP/form.html")
check "the declaration form carries the session's CSRF token" test -n "$CSRF"

README_MARK="readme-$RANDOM$RANDOM"
DAY=$(date -u -d yesterday +%F 2>/dev/null || date -u -v-1d +%F)
code=$(browse "/admin/orgs/$ORG/declarations/new" "$TMP/declared.html" \
    --data-urlencode "csrf_token=$CSRF" --data-urlencode "person=$PERSON" \
    --data-urlencode "interest_type=non_financial_professional" --data-urlencode "associate=" \
    --data-urlencode "description=Trustee of the Northshire Walking Group ($README_MARK)" \
    --data-urlencode "body=Northshire Walking Group" --data-urlencode "arose_on=$DAY" \
    --data-urlencode "ended_on=" --data-urlencode "declared_on=$DAY" \
    --data-urlencode "mitigation=None needed: the group has no dealings with the CCG")
SAVED=$(location)
check "POST the declaration form answers 303 to the declaration's page ($SAVED)" \
    test "$code" = 303 -a "${SAVED%%\?*}" != "$SAVED" -a "$(printf '%s' "$SAVED" | grep -cE "^/admin/orgs/$ORG/declarations/[0-9]+\?saved=")" = 1
FORM_ID=$(printf '%s' "${SAVED%%\?*}" | grep -oE '[0-9]+$' || true)
code=$(browse "$SAVED" "$TMP/saved.html")
check "GET $SAVED answers 200 and shows the description" \
    test "$code" = 200 -a "$(grep -c -F "$README_MARK" "$TMP/saved.html")" -gt 0
PUBLIC_HREF=$(sed -n 's/.*<a href="\([^"]*\)">see it on the public register<\/a>.*/\1/p' "$TMP/saved.html" | head -n 1)
check "the declaration's page links to it on the public register ($PUBLIC_HREF)" \
    test "${PUBLIC_HREF%%#*}" = "/$ORG/interests/$PERSON/"

public_page_shows_it() {
    [ "$(fetch "$PUBLIC_HREF" "$TMP/public.html")" = 200 ] &&
        contains "$TMP/public.html" "id=\"declaration-$FORM_ID\"" && contains "$TMP/public.html" "$README_MARK"
}
eventually 10 "declaration $FORM_ID, made through the form, is on /$ORG/interests/$PERSON/" public_page_shows_it
check "the public page is read without a session and has no <script>" lacks_script "$TMP/public.html"

# feed_has FEED: an item of /$ORG/feeds/FEED.xml carries the description and links to the person.
feed_has() {
    [ "$(fetch "/$ORG/feeds/$1.xml" "$TMP/readme-$1.xml")" = 200 ] &&
        python3 - "$TMP/readme-$1.xml" "$README_MARK" "/$ORG/interests/$PERSON/" <<'PY'
import sys
import xml.etree.ElementTree as ET
items = ET.parse(sys.argv[1]).getroot().iter("item")
mine = [i for i in items if sys.argv[2] in (i.findtext("description") or "")]
sys.exit(0 if any(sys.argv[3] in (i.findtext("link") or "") for i in mine) else 1)
PY
}
eventually 10 "the interests feed has the declaration made through the form" feed_has interests
eventually 10 "the all-changes feed has the declaration made through the form" feed_has all

# --- the audit chain, exported two ways and verified two ways -------------------------

code=$(fetch "$API/audit/head" "$TMP/head.json")
check "GET $API/audit/head answers 200" test "$code" = 200
HEAD=$(json "$TMP/head.json" 'd["entry_sha256"]')
HEAD_SEQ=$(json "$TMP/head.json" 'd["seq"]')
check "the chain head is the new declaration's entry or later" test "$HEAD_SEQ" -ge "$SEQ"

downloaded() {
    [ "$(fetch "/$ORG/audit/chain.jsonl" "$TMP/chain.jsonl")" = 200 ] &&
        [ "$(wc -l <"$TMP/chain.jsonl")" -eq "$HEAD_SEQ" ]
}
eventually 10 "GET /$ORG/audit/chain.jsonl has all $HEAD_SEQ entries" downloaded
check "coi-register export chain --org $ORG" coi export chain --org "$ORG" -o "$TMP/export.jsonl"
check "the export has all $HEAD_SEQ entries" test "$(wc -l <"$TMP/export.jsonl")" -eq "$HEAD_SEQ"

for chain in chain export; do
    file=$TMP/$chain.jsonl
    coi verify "$file" >"$TMP/verify.out" 2>&1 || fail "coi-register verify $chain.jsonl: $(cat "$TMP/verify.out")"
    check "coi-register verify $chain.jsonl: OK, head $HEAD" contains "$TMP/verify.out" "head $HEAD"
    python3 tools/verify_chain.py "$file" >"$TMP/verify.out" 2>&1 ||
        fail "tools/verify_chain.py $chain.jsonl: $(cat "$TMP/verify.out")"
    check "tools/verify_chain.py $chain.jsonl: OK, head $HEAD" contains "$TMP/verify.out" "head $HEAD"
done
check "coi-register verify --org $ORG (the database)" quiet coi verify --org "$ORG"

# A hand-edited copy: one character of a payload value on line 5 changed.
python3 - "$TMP/chain.jsonl" "$TMP/tampered.jsonl" <<'PY' || fail "could not make the tampered copy"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
entry = json.loads(lines[4])
assert entry["seq"] == 5 and isinstance(entry["payload"], dict), "line 5 is not seq 5 with a payload"
key, value = next((k, v) for k, v in sorted(entry["payload"].items()) if isinstance(v, str) and v)
old = json.dumps(key) + ":" + json.dumps(value, ensure_ascii=False)
new = json.dumps(key) + ":" + json.dumps(("X" if value[0] != "X" else "Y") + value[1:], ensure_ascii=False)
assert lines[4].count(old) == 1, f"cannot find {old} on line 5"
lines[4] = lines[4].replace(old, new)
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(lines))
PY
set +e
coi verify "$TMP/tampered.jsonl" >"$TMP/rust.out" 2>&1
rust_rc=$?
python3 tools/verify_chain.py "$TMP/tampered.jsonl" >"$TMP/python.out" 2>&1
python_rc=$?
set -e
check "coi-register verify rejects the edited copy (exit 1): $(cat "$TMP/rust.out")" test "$rust_rc" = 1
check "coi-register verify names seq 5" has_seq "$TMP/rust.out"
check "tools/verify_chain.py rejects the edited copy (exit 1): $(cat "$TMP/python.out")" test "$python_rc" = 1
check "tools/verify_chain.py names seq 5" has_seq "$TMP/python.out"

# The demo's year-end edition, reproduced byte for byte by the auditor's script from the
# full chain export (payloads included), and refused, naming the entry, once one payload
# in the export is changed.
YEAR_END=$(python3 -c 'import datetime as d; t=d.date.today(); y=t.year if (t.month, t.day) > (3, 31) else t.year-1; print(f"{y}-03-31")')
ED=$TMP/edition
mkdir -p "$ED/data"
for f in manifest.json checkpoint data/interests.csv; do
    code=$(fetch "/$ORG/editions/$YEAR_END/$f" "$ED/$f")
    check "GET /$ORG/editions/$YEAR_END/$f answers 200" test "$code" = 200
done
code=$(fetch "/$ORG/audit/verifier-key" "$TMP/verifier-key")
check "GET /$ORG/audit/verifier-key answers 200" test "$code" = 200
python3 tools/reproduce_edition.py "$TMP/export.jsonl" "$ED" --key "$TMP/verifier-key" >"$TMP/edition.out" 2>&1 ||
    fail "tools/reproduce_edition.py: $(cat "$TMP/edition.out")"
check "tools/reproduce_edition.py reproduces the year-end edition: $(cat "$TMP/edition.out")" \
    contains "$TMP/edition.out" "OK: "
python3 - "$TMP/export.jsonl" "$TMP/export-tampered.jsonl" "$ED/manifest.json" <<'PY' || fail "could not make the tampered export"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
size = json.load(open(sys.argv[3]))["checkpoint"]["tree_size"]
# The last declaration the edition used: change its description.
i = max(i for i, l in enumerate(lines[:size]) if l and json.loads(l)["entity"] == "declaration")
entry = json.loads(lines[i])
old = json.dumps(entry["payload"]["description"], ensure_ascii=False)
assert lines[i].count(old) == 1, "cannot find the description"
lines[i] = lines[i].replace(old, json.dumps("Changed " + entry["payload"]["description"], ensure_ascii=False))
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(lines))
PY
TAMPERED_SEQ=$(python3 -c 'import json,sys; ls=[l for l in open(sys.argv[1]).read().split("\n") if l]; print(next(json.loads(a)["seq"] for a, b in zip(ls, open(sys.argv[2]).read().split("\n")) if a != b))' "$TMP/export-tampered.jsonl" "$TMP/export.jsonl")
set +e
python3 tools/reproduce_edition.py "$TMP/export-tampered.jsonl" "$ED" --key "$TMP/verifier-key" >"$TMP/edition.out" 2>&1
edition_rc=$?
set -e
check "tools/reproduce_edition.py refuses the changed export (exit 1): $(cat "$TMP/edition.out")" test "$edition_rc" = 1
check "it names the changed entry, seq $TAMPERED_SEQ" contains "$TMP/edition.out" "seq $TAMPERED_SEQ "

echo "e2e: $PASSED passed, 0 failed"
