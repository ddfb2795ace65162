#!/usr/bin/env bash
# Requests/s of the decky's http service (nginx persona, default page) under wrk, the decky's PSS after,
# and Debian's nginx serving the same 615-byte page in the same run as the peer (its own -c config on a
# loopback port, one worker). Usage: bench/decky/http_wrk.sh BUILD_DIR [seconds] [connections]
set -euo pipefail
B=${1:?build dir}; T=${2:-10}; C=${3:-64}
command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null
S=$(mktemp -d /tmp/decnet-http-bench.XXXXXX)
cleanup() { kill "${dpid:-}" 2>/dev/null || true; [[ -f $S/ngx/nginx.pid ]] && kill "$(cat "$S/ngx/nginx.pid")" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$S"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
pss() { awk '/^Pss:/{print $2}' "/proc/$1/smaps_rollup"; }
dport=$(free_port); nport=$(free_port)
echo '{"http": {"server": "nginx/1.22.1"}}' > "$S/s.json"
"$B/bin/decnet-decky" --state-dir "$S" --decky bench-web --services http --ports "http=$dport" --bind 127.0.0.1 \
  --fleet-seed bench --distro debian --settings "$S/s.json" --log-target "udp:127.0.0.1:9" \
  --max-connections 4096 --max-connections-per-ip 4096 > "$S/decky.log" 2>&1 & dpid=$!
for _ in $(seq 50); do grep -q "up: http" "$S/decky.log" && break; sleep 0.1; done
echo "decky idle PSS: $(pss $dpid) KiB"
echo "== decnet-decky http (nginx persona), $C connections, ${T}s"
wrk -t2 -c"$C" -d"${T}s" "http://127.0.0.1:$dport/" | grep -E "Requests/sec|Latency|Transfer/sec|requests in"
echo "decky PSS after: $(pss $dpid) KiB"
kill "$dpid"; wait "$dpid" 2>/dev/null || true; dpid=
if command -v nginx >/dev/null; then
  mkdir -p "$S/ngx" "$S/www"
  cp /var/www/html/index.nginx-debian.html "$S/www/" 2>/dev/null || cp /usr/share/nginx/html/index.html "$S/www/index.nginx-debian.html"
  cat > "$S/ngx/nginx.conf" <<NGX
worker_processes 1;
pid $S/ngx/nginx.pid;
error_log $S/ngx/error.log;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types; default_type application/octet-stream; sendfile on; access_log off;
  client_body_temp_path $S/ngx/b; proxy_temp_path $S/ngx/p; fastcgi_temp_path $S/ngx/f; uwsgi_temp_path $S/ngx/u; scgi_temp_path $S/ngx/s;
  server { listen 127.0.0.1:$nport; root $S/www; index index.nginx-debian.html; location / { try_files \$uri \$uri/ =404; } }
}
NGX
  nginx -c "$S/ngx/nginx.conf" -g 'user root;'
  sleep 0.3
  echo "== Debian nginx $(nginx -v 2>&1 | cut -d/ -f2), 1 worker (access_log off), $C connections, ${T}s"
  wrk -t2 -c"$C" -d"${T}s" "http://127.0.0.1:$nport/" | grep -E "Requests/sec|Latency|Transfer/sec|requests in"
  total=0; for p in $(pgrep -f "nginx -c $S/ngx/nginx.conf"; pgrep -P "$(cat "$S/ngx/nginx.pid")"); do total=$((total + $(pss "$p"))); done
  echo "nginx master+worker PSS after: $total KiB"
fi
