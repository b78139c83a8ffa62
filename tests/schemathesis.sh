#!/usr/bin/env bash
# Property-based test of the JSON API against its own OpenAPI description, with
# schemathesis (installed with pip if missing).
#
#   bash tests/schemathesis.sh                    builds target/debug/coi-register with `cargo build`
#   COI_BIN=path/to/coi-register bash tests/schemathesis.sh
#   SCHEMATHESIS_MAX_TIME=300 bash tests/schemathesis.sh     the time budget, in seconds (default 180)
#
# Starts `coi-register serve --demo` on a free port with its own data directory, then
# runs `schemathesis run` against /api/v1/openapi.json with the organisation fixed to
# the demo's northshire-ccg and the demo's governance token, so writes are exercised too.
# Every check must find nothing:
#   not_a_server_error           no 5xx, whatever is sent (valid or not);
#   response_schema_conformance  every answer matches the description's response schemas;
#   positive_data_acceptance     nothing the description allows is refused with 400 or
#                                422, except for the rules JSON Schema cannot state (an
#                                existing person or member, a date not in the future, the
#                                order of two dates, the organisation's thresholds, the
#                                chain's length): those the description says in words, and
#                                tests/schemathesis_hooks.py lets through only refusals that
#                                name one of them.
# (One worker: hypothesis's lambda descriptions are not thread-safe on CPython 3.11. The
# health check that complains when many drawn values are filtered out is off: the
# memberships' conditional schema is correct, only slow to draw.)
set -euo pipefail
cd "$(dirname "$0")/.."

ORG=northshire-ccg
MAX_TIME=${SCHEMATHESIS_MAX_TIME:-180}
DEMO_NAME=schemathesis
. tests/lib/demo.sh

if ! command -v schemathesis >/dev/null; then
    echo "schemathesis: installing it with pip"
    python3 -m pip install --quiet schemathesis || fail "could not install schemathesis"
fi
schemathesis --version

if [ -n "${COI_BIN:-}" ]; then
    BIN=$COI_BIN
else
    echo "schemathesis: cargo build"
    cargo build --quiet || fail "cargo build"
    BIN=${CARGO_TARGET_DIR:-target}/debug/coi-register
fi

demo_start "$BIN"

# The organisation is a real one, as a client's would be, and so is the person a new
# entry is for (else every new entry is refused for naming nobody); half the ids, slugs
# and references in paths are real ones too, so changes to existing records are
# exercised as well as refusals of unknown ones. Everything else is generated.
api() { curl -fsS "$BASE/api/v1/orgs/$ORG/$1"; }
keys() { python3 -c 'import json, sys; print(", ".join(json.dumps(str(r[sys.argv[1]])) for r in json.load(sys.stdin)[:5]))' "$1"; }
PERSON=$(api people | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["slug"])') ||
    fail "could not read the demo's people"
SLUGS="$(api people | keys slug), $(api committees | keys slug)" || fail "could not read the demo's committees"
REFERENCES=$(api decisions | keys reference) || fail "could not read the demo's decisions"
cat >"$TMP/schemathesis.toml" <<EOF
[dictionaries.ids]
values = ["1", "2", "3", "4", "5"]

[dictionaries.slugs]
values = [$SLUGS]

[dictionaries.references]
values = [$REFERENCES]

[parameters]
"path.org" = "$ORG"
"body.person" = "$PERSON"
"path.id" = { dictionary = "ids", probability = 0.5 }
"path.slug" = { dictionary = "slugs", probability = 0.5 }
"path.reference" = { dictionary = "references", probability = 0.5 }
EOF

echo "schemathesis: running for at most ${MAX_TIME}s"
status=0
# From the run's own directory, where schemathesis keeps its cache of examples.
TESTS=$PWD/tests
(cd "$TMP" && SCHEMATHESIS_HOOKS=schemathesis_hooks PYTHONPATH=$TESTS${PYTHONPATH:+:$PYTHONPATH} \
    schemathesis --config-file "$TMP/schemathesis.toml" run "$BASE/api/v1/openapi.json" \
    --checks not_a_server_error,response_schema_conformance,accepted_unless_a_stated_rule \
    --header "Authorization: Bearer $TOKEN" \
    --phases examples,coverage,fuzzing \
    --max-examples 50 \
    --max-time "$MAX_TIME" \
    --request-timeout 10 \
    --workers 1 \
    --suppress-health-check filter_too_much \
    --seed "${SCHEMATHESIS_SEED:-1}" \
    --no-color) || status=$?
[ "$status" = 0 ] || fail "schemathesis found problems (exit status $status)"
kill -0 "$SERVER_PID" 2>/dev/null || fail "the server died during the run"
echo "schemathesis: passed"
