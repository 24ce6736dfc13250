#!/usr/bin/env bash
# Requests per second for one permit page, gzip accepted, from `sicantik serve` alone and from
# nginx serving the same built site with the build's .gz files (`gzip_static`), with wrk on the
# same machine. Prints figures; asserts nothing.
#
#   bash benches/static.sh [--no-build] [--duration 8] [--clients "1 32"]
#
# Needs wrk and nginx (`apt-get install wrk nginx`). nginx runs here from a minimal plain-HTTP
# config in a temp dir (no TLS, no proxying: only the static path the shipped
# deploy/nginx/sicantik.conf uses); the service is the release binary on loopback.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=1 duration=8 clients="1 32"
while (($#)); do
  case $1 in
    --no-build) build=0 ;;
    --duration) duration=$2; shift ;;
    --clients) clients=$2; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 1; }
command -v nginx >/dev/null || { echo "nginx not found: apt-get install nginx" >&2; exit 1; }
target=${CARGO_TARGET_DIR:-target}
((build)) && cargo build --release --bin sicantik
bin=$target/release/sicantik
tmp=$(mktemp -d)
serve_pid=
cleanup() {
  [[ -n $serve_pid ]] && kill "$serve_pid" 2>/dev/null || true
  [[ -f $tmp/nginx.pid ]] && nginx -p "$tmp" -c "$tmp/nginx.conf" -s stop 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
sp=$(free_port) np=$(free_port)
SICANTIK_DATA_DIR=$tmp/data SICANTIK_ADDR=127.0.0.1:$sp "$bin" --content content --theme themes/default \
  --out "$tmp/public" serve >"$tmp/serve.log" 2>&1 &
serve_pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$sp/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
page=$(cd "$tmp/public" && ls -d izin/*/ | head -n 1)
mkdir -p "$tmp/logs" "$tmp/tmp"
cat >"$tmp/nginx.conf" <<CONF
worker_processes 2;
pid $tmp/nginx.pid;
error_log $tmp/logs/error.log;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path $tmp/tmp/body; proxy_temp_path $tmp/tmp/proxy;
  fastcgi_temp_path $tmp/tmp/fcgi; uwsgi_temp_path $tmp/tmp/uwsgi; scgi_temp_path $tmp/tmp/scgi;
  sendfile on; tcp_nopush on; keepalive_requests 100000;
  server {
    listen 127.0.0.1:$np;
    root $tmp/public;
    gzip_static on;
    location / { try_files \$uri \$uri/index.html =404; add_header Cache-Control "no-cache"; }
  }
}
CONF
nginx -p "$tmp" -c "$tmp/nginx.conf"
sleep 0.5
echo "permit page /$page, Accept-Encoding: gzip, wrk with 2 threads (1 for 1 client), ${duration}s each; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %8s %12s %12s\n' server clients "req/s" "mean latency"
for c in $clients; do
  for s in "serve $sp" "nginx $np"; do
    set -- $s
    threads=$((c < 2 ? c : 2))
    out=$(wrk -t"$threads" -c"$c" -d"${duration}s" -H 'Accept-Encoding: gzip' "http://127.0.0.1:$2/$page")
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    lat=$(awk '/Latency/ {print $2; exit}' <<<"$out")
    printf '%-8s %8s %12s %12s\n' "$1" "$c" "$rps" "$lat"
  done
done
