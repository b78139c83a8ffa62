#!/usr/bin/env bash
# Every row of the performance table (issue 13, README "Performance") in one run, each
# figure printed by its own benchmark beside its anchor measured in the same run:
#
#   1. seeding the large ICB (`demo --scale large`): writes/s through the write path
#      (skipped when DATA_DIR already holds a seeded database; SEED=1 seeds a fresh one);
#   2. write to live on the large ICB (`bench --publish-writes`), request sent to the
#      changed page served over HTTP with the new text, beside the page's plain GET;
#   3. 16 concurrent API writers x 200 amendments on the demo (`bench --writers`), beside
#      as many bare store writes from as many threads;
#   4. a full publish of the large ICB against Hugo on the same number of pages
#      (benches/hugo.sh), with our peak memory;
#   5. serving a register page and a decision page against nginx on the same files
#      (benches/serve.sh);
#   6. chain verification on a real export file against SHA-256's speed on this machine
#      (`bench --verify`, with `openssl speed`).
#
#   bash benches/perf.sh [BINARY] [DATA_DIR]
#   default: target/release/coi-register and /tmp/coi-large (seeded if empty).
#
# The machine is shared and noisy: read the ratios, not the times. Installs hugo, nginx
# and wrk from the distribution when missing (through benches/hugo.sh and serve.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/coi-register}
DATA=${2:-/tmp/coi-large}
WRITES=${WRITES:-200}
[ -x "$BIN" ] || { echo "no binary at $BIN: cargo build --release" >&2; exit 1; }

section() { printf '\n=== %s\n' "$*"; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/coi-perf.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

section "1. seeding the large ICB (demo --scale large)"
if [ "${SEED:-0}" = 1 ] || [ ! -e "$DATA/coi.db" ]; then
    rm -rf "$DATA"
    "$BIN" --data-dir "$DATA" demo --scale large | grep -E 'seeded|writes/s' || true
else
    echo "$DATA is seeded already: not measured (SEED=1 seeds it again)"
fi

section "2. write to live, large ICB (bench --publish-writes $WRITES)"
"$BIN" --data-dir "$DATA" --site-dir "$TMP/site-live" bench --publish-writes "$WRITES"

section "3. 16 concurrent API writers x 200, demo data, SQLite (bench --writers 16)"
"$BIN" --data-dir "$TMP/writers" --site-dir "$TMP/site-writers" bench --writers 16 --writes-each 200

section "4. full publish of the large ICB against Hugo (benches/hugo.sh)"
bash benches/hugo.sh "$BIN" "$DATA"

section "5. serving against nginx on the same files (benches/serve.sh)"
bash benches/serve.sh "$BIN" "$DATA"

section "6. chain verification against SHA-256 (bench --verify)"
"$BIN" --data-dir "$TMP/verify" bench --verify --entries 1000000
