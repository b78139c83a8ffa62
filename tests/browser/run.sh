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
DEMO_NAME=browser
. tests/lib/demo.sh

command -v node >/dev/null || fail "node is needed"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || fail "no Chromium at ${CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)"

if [ ! -d tests/browser/node_modules/axe-core ] || [ ! -d tests/browser/node_modules/puppeteer-core ]; then
    echo "browser: npm ci (tests/browser)"
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error) || fail "npm ci in tests/browser"
fi

demo_start "$BIN"
AXE_ACCOUNTS=$(demo_accounts)
export AXE_ACCOUNTS

node tests/browser/axe.mjs "$BASE" "$@"
