#!/usr/bin/env bash
# web_wrk.sh [BUILD_DIR] -- throughput and memory of the WebCli door.
#
#  1. wrk -t2 -c50 -d10s (keep-alive) against GET /rest/system/heartbeat of a
#     node (the REST bridge, the dispatcher, the JSON envelope: the whole path)
#  2. the same wrk run against nginx serving a small static file with
#     keep-alive, one worker process (the node is one thread too): the
#     practical ceiling of an HTTP server on this machine
#  3. RSS of the node with 200 concurrent keep-alive connections open
#
# Targets (issue 4): >= 30000 req/s, >= 0.5 of nginx, RSS <= 8 MB.
# The node runs with aioqueue=256 webui_max_con=256 so that 50 (and 200)
# clients get a slot each; with micrOS's defaults (5 / 3) most would wait.
# Needs Debian packages wrk, nginx and python3. Takes about 30 s.
# WRK_SECONDS (default 10) and NGINX_WORKERS (default 1) change the runs.
set -euo pipefail
build=${1:-build}
bin="$(cd "$build" && pwd)/nodus"
secs=${WRK_SECONDS:-10}
nginx_workers=${NGINX_WORKERS:-1} # 1: like the node, one process (auto: one per core)
for tool in wrk nginx python3; do
    command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
        { echo "web_wrk: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
tmp=$(mktemp -d)
node_pid=""
nginx_pid=""
cleanup() {
    [ -n "$node_pid" ] && kill "$node_pid" 2>/dev/null && wait "$node_pid" 2>/dev/null
    [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {
    for _ in $(seq 200); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done
    echo "web_wrk: nothing listens on port $1" >&2
    return 1
}
reqs() { awk '/^Requests\/sec:/ {print int($2)}'; }

# ---- the node ------------------------------------------------------------------
sport=$(free_port)
wport=$(free_port)
mkdir -p "$tmp/state"
"$bin" run --state "$tmp/state" --quiet --set bind=127.0.0.1 --set socport="$sport" \
    --set webui=True --set webport="$wport" --set aioqueue=256 --set webui_max_con=256 \
    >/dev/null 2>"$tmp/node.err" &
node_pid=$!
wait_port "$wport"
url="http://127.0.0.1:$wport/rest/system/heartbeat"
curl -fsS "$url" >/dev/null 2>&1 || python3 -c "import urllib.request; urllib.request.urlopen('$url').read()"
wrk -t2 -c50 -d2s "$url" >/dev/null # warm-up
node_out=$(wrk -t2 -c50 -d"${secs}s" "$url")
node_rps=$(reqs <<<"$node_out")
node_errors=$(grep -E "Non-2xx|Socket errors" <<<"$node_out" || true)

# ---- RSS with 200 keep-alive connections -------------------------------------------
rss=$(python3 - "$wport" "$node_pid" <<'EOF'
import socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
conns = []
for _ in range(200):
    s = socket.create_connection(("127.0.0.1", port), 5)
    s.sendall(b"GET /rest/system/heartbeat HTTP/1.1\r\nHost: bench\r\n\r\n")
    conns.append(s)
for s in conns:
    got = b""
    while b'"state": true}' not in got:
        chunk = s.recv(4096)
        if not chunk:
            sys.exit("connection closed early: %r" % got)
        got += chunk
time.sleep(0.2)
with open("/proc/%d/status" % pid) as f:
    kb = [int(l.split()[1]) for l in f if l.startswith("VmRSS:")][0]
print(kb)
EOF
)
kill "$node_pid"
wait "$node_pid" 2>/dev/null || true
node_pid=""

# ---- nginx, the ceiling ------------------------------------------------------------
nport=$(free_port)
mkdir -p "$tmp/www" "$tmp/nginx"
printf '{"result": "<3 heartbeat <3", "state": true}' >"$tmp/www/heartbeat.json"
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes $nginx_workers;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    keepalive_requests 10000000;
    keepalive_timeout 60s;
    default_type application/json;
    server {
        listen 127.0.0.1:$nport;
        root $tmp/www;
    }
}
EOF
"$nginx_bin" -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" &
nginx_pid=$!
wait_port "$nport"
nurl="http://127.0.0.1:$nport/heartbeat.json"
wrk -t2 -c50 -d2s "$nurl" >/dev/null
nginx_rps=$(wrk -t2 -c50 -d"${secs}s" "$nurl" | reqs)
kill "$nginx_pid"
wait "$nginx_pid" 2>/dev/null || true
nginx_pid=""

ratio=$(python3 -c "print('%.2f' % ($node_rps / $nginx_rps))")
echo "wrk -t2 -c50 -d${secs}s, keep-alive, loopback, $(nproc) cores"
echo "  nodus GET /rest/system/heartbeat : $node_rps req/s (target >= 30000)"
[ -n "$node_errors" ] && echo "  nodus: $node_errors"
echo "  nginx GET /heartbeat.json ($nginx_workers worker): $nginx_rps req/s"
echo "  ratio nodus/nginx                 : $ratio (target >= 0.5)"
echo "  nodus RSS, 200 keep-alive clients : $rss kB (target <= 8192 kB)"
