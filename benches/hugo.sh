#!/usr/bin/env bash
# A full publish against Hugo, on the same number of pages, in the same run: runs
# `coi-register publish` on a data directory (default: a fresh demo) into an empty site
# directory, in parallel (the default) and on one thread (`--sequential`), then generates
# a Hugo site with as many pages as the parallel publish wrote files (markdown pages with
# a table of 20 rows under a simple layout) and runs `hugo` on it. Prints each one's
# files (pages) a second, wall time from start to exit, the ratios, and our peak
# resident memory. Installs Debian's `hugo` if it is missing.
#
#   bash benches/hugo.sh [BINARY] [DATA_DIR]
#   e.g. after `coi-register --data-dir /tmp/large demo --scale large`:
#        bash benches/hugo.sh target/release/coi-register /tmp/large
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/coi-register}
DATA=${2:-}
if ! command -v hugo >/dev/null; then
    SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
    $SUDO apt-get install -y hugo >/dev/null || { echo "cannot install hugo" >&2; exit 1; }
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/coi-hugo-bench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
if [ -z "$DATA" ]; then
    DATA=$TMP/data
    "$BIN" --data-dir "$DATA" demo >/dev/null
fi

now() { date +%s.%N; }

# Our publish into an empty site directory: prints "files seconds peak_MB".
publish() {
    local site=$TMP/site-$1 start end
    shift
    start=$(now)
    /usr/bin/time -f "%M" -o "$TMP/rss" "$BIN" --data-dir "$DATA" --site-dir "$site" publish "$@" \
        >"$TMP/publish.out" 2>"$TMP/publish.err" || { cat "$TMP/publish.err" >&2; exit 1; }
    end=$(now)
    # Every file a reader sees: each organisation's directory followed to its generation.
    local files
    files=$(find -L "$site" -type f -not -path "$site/.gen/*" -not -name '.*' | wc -l)
    echo "$files $(echo "$end - $start" | bc -l) $(echo "$(cat "$TMP/rss") / 1024" | bc -l)"
    rm -rf "$site"
}

read -r FILES PAR_S PAR_MB < <(publish parallel)
read -r SEQ_FILES SEQ_S SEQ_MB < <(publish sequential --sequential)
[ "$FILES" = "$SEQ_FILES" ] || echo "warning: parallel wrote $FILES files, sequential $SEQ_FILES" >&2

# A Hugo site of as many pages, each a markdown table of 20 rows like a register page.
HUGO=$TMP/hugo
mkdir -p "$HUGO/content/pages" "$HUGO/layouts/_default"
cat >"$HUGO/config.toml" <<'EOF'
baseURL = "http://127.0.0.1/"
title = "Registers"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404", "section"]
EOF
cat >"$HUGO/layouts/_default/baseof.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>
<link rel="stylesheet" href="/assets/site.css"></head>
<body><header><a href="/">Registers of interests</a></header>
<main>{{ block "main" . }}{{ end }}</main><footer>Published {{ .Date.Format "2 January 2006" }}</footer></body></html>
EOF
cat >"$HUGO/layouts/_default/single.html" <<'EOF'
{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}
EOF
cat >"$HUGO/layouts/_default/list.html" <<'EOF'
{{ define "main" }}<h1>{{ .Title }}</h1>{{ end }}
EOF
python3 - "$HUGO/content/pages" "$FILES" <<'EOF'
import sys
out, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    rows = "\n".join(
        f"| Person {i}-{r} | Financial interest | Partner in **Riverside {r} Surgery Ltd** | 2026-0{1 + r % 9}-1{r % 10} | Leaves the room when it is discussed |"
        for r in range(20))
    with open(f"{out}/p{i}.md", "w") as f:
        f.write(f"---\ntitle: \"Page {i}\"\ndate: 2026-11-23\n---\n\nDeclared interests of page {i}.\n\n"
                f"| Name | Type | Description | Declared | Mitigation |\n| --- | --- | --- | --- | --- |\n{rows}\n")
EOF
START=$(now)
hugo --quiet -s "$HUGO" -d "$HUGO/public" >/dev/null
HUGO_S=$(echo "$(now) - $START" | bc -l)
HUGO_PAGES=$(find "$HUGO/public" -name '*.html' | wc -l)

rate() { echo "$1 / $2" | bc -l; }
PAR_RATE=$(rate "$FILES" "$PAR_S")
SEQ_RATE=$(rate "$SEQ_FILES" "$SEQ_S")
HUGO_RATE=$(rate "$HUGO_PAGES" "$HUGO_S")
printf '%-34s %8s %9s %11s %9s\n' "" files seconds "files/s" "peak MB"
printf '%-34s %8d %9.1f %11.0f %9.0f\n' "coi-register publish (parallel)" "$FILES" "$PAR_S" "$PAR_RATE" "$PAR_MB"
printf '%-34s %8d %9.1f %11.0f %9.0f\n' "coi-register publish --sequential" "$SEQ_FILES" "$SEQ_S" "$SEQ_RATE" "$SEQ_MB"
printf '%-34s %8d %9.1f %11.0f %9s\n' "hugo $(hugo version | cut -d' ' -f2) (anchor)" "$HUGO_PAGES" "$HUGO_S" "$HUGO_RATE" "-"
printf 'parallel / hugo: %.2fx   sequential / hugo: %.2fx   parallel / sequential: %.2fx   (%d cores)\n' \
    "$(rate "$PAR_RATE" "$HUGO_RATE")" "$(rate "$SEQ_RATE" "$HUGO_RATE")" "$(rate "$PAR_RATE" "$SEQ_RATE")" "$(nproc)"
