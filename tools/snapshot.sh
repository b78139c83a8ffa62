#!/usr/bin/env bash
# A reproducible snapshot of what the service publishes and answers, for checking that a
# refactoring changed no behaviour: seed the demo, publish the whole site and record a
# fixed set of JSON API answers (signed out and as the demo governance lead), all under a
# frozen clock and one fixed signing key, so two runs of the same code give identical
# trees. Compare two snapshots with `diff -r A B`.
#
#   bash tools/snapshot.sh OUT_DIR [KEY_DIR]
#
# COI_BIN selects the binary (default target/debug/coi-register). KEY_DIR holds the
# checkpoint signing key to reuse (a snapshot's own `key/` folder); without it a new key
# is made and kept in OUT_DIR/key, to pass to the next run. Needs faketime (Debian's
# `faketime`), curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=${1:?usage: tools/snapshot.sh OUT_DIR [KEY_DIR]}
KEYS=${2:-}
BIN=${COI_BIN:-target/debug/coi-register}
LIBFAKETIME=$(find /usr/lib -name libfaketimeMT.so.1 2>/dev/null | head -n 1)
[ -n "$LIBFAKETIME" ] || { echo "snapshot: needs libfaketime (apt-get install faketime)" >&2; exit 1; }
[ -x "$BIN" ] || { echo "snapshot: no binary at $BIN (cargo build first)" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT/api"
OUT=$(cd "$OUT" && pwd)
DATA=$(mktemp -d "${TMPDIR:-/tmp}/coi-snapshot.XXXXXX")
SERVER_PID=
cleanup() {
    [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true
    rm -rf "$DATA"
}
trap cleanup EXIT

# A frozen wall clock (every audit `at` and every "today" is the same in both runs); the
# monotonic clock is left alone, or the server's timers would never fire.
frozen() { LD_PRELOAD=$LIBFAKETIME FAKETIME="2026-11-20 10:00:00" FAKETIME_DONT_FAKE_MONOTONIC=1 "$@"; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
# A fixed public URL (links in feeds, the key name), whatever port this run listens on.
export COI_DATA_DIR=$DATA COI_PUBLIC_URL=https://registers.example

# The same key in both runs: load_or_create_signer reuses whatever key files it finds.
if [ -n "$KEYS" ]; then
    cp -a "$KEYS"/. "$DATA"/
fi
frozen "$BIN" demo >"$DATA/demo.out"
TOKEN=$(sed -n 's/^Demo API token (governance, both organisations): //p' "$DATA/demo.out")
frozen "$BIN" publish >/dev/null
mkdir -p "$OUT/key"
cp "$DATA/checkpoint-signing.key" "$OUT/key/"
cp -a "$DATA/site" "$OUT/site"

frozen "$BIN" serve --bind "127.0.0.1:$PORT" >"$DATA/serve.out" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 200); do
    curl -fsS "$URL/healthz" >/dev/null 2>&1 && break
    sleep 0.1
done

# fetch NAME PATH [TOKEN]: the answer's status line and body, into api/NAME.
fetch() {
    local auth=()
    [ -z "${3:-}" ] || auth=(-H "Authorization: Bearer $3")
    curl -sS "${auth[@]}" -o "$OUT/api/$1.body" -w '%{http_code} %{content_type}\n' "$URL$2" >"$OUT/api/$1.status"
}

for org in northshire-ccg southdale-ccg; do
    for who in public governance; do
        t=
        [ "$who" = public ] || t=$TOKEN
        p=$org.$who
        fetch "$p.org" "/api/v1/orgs/$org" "$t"
        for list in people declarations gifts committees decisions breaches gp-earnings; do
            fetch "$p.$list" "/api/v1/orgs/$org/$list" "$t"
        done
        fetch "$p.declarations.person" "/api/v1/orgs/$org/declarations?person=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print((d.get("people") or d.get("items") or d if isinstance(d,list) else [])[0]["slug"])' "$OUT/api/$p.people.body" 2>/dev/null || echo none)" "$t"
        for id in 1 2 3 5 8; do
            fetch "$p.declaration.$id" "/api/v1/orgs/$org/declarations/$id" "$t"
            fetch "$p.declaration.$id.versions" "/api/v1/orgs/$org/declarations/$id/versions" "$t"
            fetch "$p.gift.$id" "/api/v1/orgs/$org/gifts/$id" "$t"
            fetch "$p.meeting.$id" "/api/v1/orgs/$org/meetings/$id" "$t"
            fetch "$p.item.$id" "/api/v1/orgs/$org/items/$id" "$t"
        done
        fetch "$p.audit.head" "/api/v1/orgs/$org/audit/head" "$t"
        fetch "$p.audit.entries" "/api/v1/orgs/$org/audit/entries?start=1&end=400" "$t"
        fetch "$p.audit.checkpoints" "/api/v1/orgs/$org/audit/checkpoints" "$t"
        fetch "$p.audit.inclusion" "/api/v1/orgs/$org/audit/proof/inclusion?seq=3&size=20" "$t"
        fetch "$p.audit.consistency" "/api/v1/orgs/$org/audit/proof/consistency?from=5&to=20" "$t"
    done
done
fetch orgs /api/v1/orgs
fetch openapi /api/v1/openapi.json
fetch not-found /api/v1/nothing
# A breach's salt (the commitment to the person it names) is random by design, and so is
# everything hashed after it: entry hashes, roots, proofs, signatures. Mask those, so the
# comparison still covers every other byte; the hashing itself is pinned by the fixed
# vectors in tests/vectors/ and the unit tests.
python3 - "$OUT" <<'PY'
import pathlib, re, sys
masks = [
    (re.compile(rb'"salt":"[0-9a-f]{32}"'), rb'"salt":"<salt>"'),
    (re.compile(rb'[0-9a-f]{64}'), rb'<sha256>'),
    (re.compile(rb'(\xe2\x80\x94 \S+ )[A-Za-z0-9+/]+=*'), rb'\1<signature>'),
    (re.compile(rb'[A-Za-z0-9+/]{43}(?:=|&#x3D;)'), rb'<base64-32>'),
]
for f in pathlib.Path(sys.argv[1]).rglob('*'):
    if f.is_file() and f.parent.name != 'key':
        data = f.read_bytes()
        for pattern, mask in masks:
            data = pattern.sub(mask, data)
        f.write_bytes(data)
PY
echo "snapshot: $(find "$OUT/site" -type f | wc -l) site files and $(find "$OUT/api" -name '*.body' | wc -l) API answers in $OUT"
