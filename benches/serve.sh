#!/usr/bin/env bash
# Static page serving, measured with wrk against `coi-register serve` and against nginx
# serving the same site directory directly (the README's "Serving the site with nginx"
# block: gzip_static, brotli_static where the module is installed). For the register page
# `/<org>/interests/` and a decision page `/<org>/decisions/<id>/`, with
# `Accept-Encoding: gzip` and without (identity), it prints each server's requests/s,
# their ratio (the service / nginx: nginx is the anchor, measured in the same run),
# the bytes of each answer, and every non-2xx answer and socket error wrk saw. Before
# measuring it checks that both servers send the same bytes for each page and encoding.
# Then the chain head endpoint, served by the service alone.
#
#   bash benches/serve.sh [BINARY] [DATA_DIR]
#   e.g. after `coi-register --data-dir /tmp/large demo --scale large`:
#        bash benches/serve.sh target/release/coi-register /tmp/large
#
# nginx and wrk are installed from the distribution (Debian: nginx-light, wrk,
# libnginx-mod-http-brotli-static) when missing and the script runs as root.
# DURATION (seconds per run, default 10) and CONNECTIONS (default 64) may be set.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-target/release/coi-register}
DATA=${2:-}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}

have_nginx() { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; }
if ! command -v wrk >/dev/null || ! have_nginx; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "installing nginx and wrk from the distribution" >&2
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            nginx-light wrk >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            libnginx-mod-http-brotli-static >/dev/null 2>&1 || true
    else
        echo "nginx and wrk are needed (apt-get install nginx-light wrk)" >&2
        exit 1
    fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

TMP=$(mktemp -d "${TMPDIR:-/tmp}/coi-serve-bench.XXXXXX")
if [ -z "$DATA" ]; then
    DATA=$TMP/data
    "$BIN" --data-dir "$DATA" demo >/dev/null
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
NPORT=$(free_port)
"$BIN" --data-dir "$DATA" serve --bind "127.0.0.1:$PORT" >"$TMP/out" 2>"$TMP/err" &
PID=$!
NPID=
cleanup() {
    kill "$PID" 2>/dev/null || true
    if [ -n "$NPID" ]; then kill "$NPID" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    rm -rf "$TMP"
}
trap cleanup EXIT
until curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
    kill -0 $PID 2>/dev/null || { cat "$TMP/err" >&2; exit 1; }
    sleep 0.2
done

# The service published the site when it started.
SITE=$(cd "$DATA/site" && pwd)

# nginx as the current user, on a free port, everything it writes in the temp directory.
BROTLI_MODULE=
for m in /usr/lib/nginx/modules/ngx_http_brotli_static_module.so \
         /usr/share/nginx/modules/ngx_http_brotli_static_module.so; do
    if [ -f "$m" ]; then BROTLI_MODULE="load_module $m;"; break; fi
done
BROTLI_ON=
ENCODINGS=(gzip identity)
if [ -n "$BROTLI_MODULE" ]; then BROTLI_ON="brotli_static on;"; ENCODINGS=(br gzip identity); fi
USER_LINE=
if [ "$(id -u)" = 0 ]; then USER_LINE="user $(id -un);"; fi
cat >"$TMP/nginx.conf" <<EOF
$BROTLI_MODULE
$USER_LINE
daemon off;
worker_processes auto;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events { worker_connections 4096; }
http {
    # Each request logged, as the service logs each (method, path, status, time).
    access_log $TMP/nginx-access.log;
    client_body_temp_path $TMP/nginx-body;
    proxy_temp_path $TMP/nginx-proxy;
    fastcgi_temp_path $TMP/nginx-fastcgi;
    uwsgi_temp_path $TMP/nginx-uwsgi;
    scgi_temp_path $TMP/nginx-scgi;
    include /etc/nginx/mime.types;
    types { application/jsonl jsonl; }
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    open_file_cache max=10000 inactive=60s;
    open_file_cache_valid 1s;
    server {
        listen 127.0.0.1:$NPORT;
        root $SITE;
        index index.html;
        gzip_static on;
        gzip_vary on;
        $BROTLI_ON
        location ~ /\. { return 404; }
        location /assets/ { add_header Cache-Control "public, max-age=86400"; }
        location / {
            try_files \$uri \$uri/ =404;
            add_header Cache-Control "public, max-age=60";
        }
    }
}
EOF
"$NGINX" -c "$TMP/nginx.conf" -e "$TMP/nginx-error.log" 2>"$TMP/nginx-start.log" &
NPID=$!
until curl -fsS -o /dev/null "http://127.0.0.1:$NPORT/" 2>/dev/null; do
    kill -0 $NPID 2>/dev/null || { cat "$TMP/nginx-start.log" "$TMP/nginx-error.log" >&2; exit 1; }
    sleep 0.2
done

ORG=$(curl -fsS "http://127.0.0.1:$PORT/api/v1/orgs" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["slug"])')
DECISION=$(find "$SITE/$ORG/decisions/" -mindepth 2 -maxdepth 2 -name index.html -not -path '*/page/*' \
    -printf '%s %h\n' | sort -n | tail -1 | awk '{print $2}' | xargs basename)
PAGES=("/$ORG/interests/" "/$ORG/decisions/$DECISION/")

# Both servers must send the same bytes, encoded as asked, before their speeds mean anything.
for path in "${PAGES[@]}"; do
    for enc in "${ENCODINGS[@]}"; do
        for port in $PORT $NPORT; do
            curl -fsS -D "$TMP/h.$port" -H "Accept-Encoding: $enc" -o "$TMP/b.$port" "http://127.0.0.1:$port$path"
        done
        if ! cmp -s "$TMP/b.$PORT" "$TMP/b.$NPORT"; then
            echo "!! $path ($enc): the service and nginx sent different bytes" >&2
            exit 1
        fi
        if [ "$enc" != identity ] && ! grep -qi "^content-encoding: $enc" "$TMP/h.$NPORT"; then
            echo "(nginx sent $path without $enc: its $enc module is missing)" >&2
        fi
    done
done

# One wrk run: "requests/s non-2xx socket-errors".
measure() {
    local url=$1 header=$2 out
    if [ -n "$header" ]; then
        out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" -H "$header" "$url")
    else
        out=$(wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" "$url")
    fi
    local rps non2xx errors
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
    errors=$(awk '/Socket errors:/ {gsub(",", ""); print $4+$6+$8+$10}' <<<"$out")
    echo "${rps:-0} ${non2xx:-0} ${errors:-0}"
}

echo "wrk -t2 -c$CONNECTIONS -d${DURATION}s, data: $DATA"
printf '%-44s %-9s %9s %12s %12s %7s %10s %10s\n' page encoding bytes service/s nginx/s ratio non-2xx errors
for path in "${PAGES[@]}"; do
    for enc in gzip identity; do
        header=
        if [ "$enc" = gzip ]; then header="Accept-Encoding: gzip"; fi
        bytes=$(curl -fsS ${header:+-H "$header"} -o /dev/null -w '%{size_download}' "http://127.0.0.1:$PORT$path")
        read -r s_rps s_bad s_err < <(measure "http://127.0.0.1:$PORT$path" "$header")
        read -r n_rps n_bad n_err < <(measure "http://127.0.0.1:$NPORT$path" "$header")
        ratio=$(python3 -c "print(f'{$s_rps / $n_rps:.2f}' if $n_rps else 'n/a')")
        printf '%-44s %-9s %9s %12s %12s %7s %10s %10s\n' "$path" "$enc" "$bytes" "$s_rps" "$n_rps" "${ratio}x" \
            "$s_bad/$n_bad" "$s_err/$n_err"
    done
done
echo "(non-2xx and errors: service/nginx)"
echo "== GET /api/v1/orgs/$ORG/audit/head (the service alone)"
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" "http://127.0.0.1:$PORT/api/v1/orgs/$ORG/audit/head" |
    grep -E "Requests/sec|Latency|Non-2xx|Socket errors"
