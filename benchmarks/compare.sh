#!/usr/bin/env bash
# Usher side by side with nginx and HAProxy, on loopback, with the same echo origin and the same clients.
#
#   benchmarks/compare.sh                       3 rounds x 10 s per target per connection count (50, 200)
#   ROUNDS=5 DURATION=20s benchmarks/compare.sh
#
# Needs nginx, haproxy and wrk (apt-get install -y nginx haproxy wrk); installs nothing itself. Every process it
# starts (echo origin, Usher, nginx, HAProxy) runs on 127.0.0.1 with its own config in a temporary folder and is
# stopped on exit, also on failure or Ctrl-C. Results go to $OUT (default benchmarks/target/compare-<time>).
#
# Settings (environment):
#   ROUNDS=3 DURATION=10s WARMUP=2s JVM_WARMUP=20s CONNECTIONS=50,200 RESPONSE_SIZE=0
#   USHER_JAVA_OPTS='-Xms128m -Xmx128m -XX:+UseSerialGC'  USHER_EVENT_LOOPS=1
#   USHER_ARGS='--max-idle-per-endpoint=1024' (more `usher run` flags)
#   BASE_PORT=18080 (origin +1, Usher admin +2, nginx +3, HAProxy +4, baseline Usher +5, its admin +6)
#   BASELINE_JAR=path/to/usher.jar   also runs that build of Usher (same flags) as target usher-base, to measure a
#                                    change against the build before it in the same rounds
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$PATH:/usr/sbin:/sbin"
bench_jar="$root/benchmarks/target/usher-bench.jar"
usher_jar="$root/deploy/target/usher.jar"

ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
JVM_WARMUP="${JVM_WARMUP:-20s}"
CONNECTIONS="${CONNECTIONS:-50,200}"
RESPONSE_SIZE="${RESPONSE_SIZE:-0}"
USHER_JAVA_OPTS="${USHER_JAVA_OPTS:--Xms128m -Xmx128m -XX:+UseSerialGC}"
USHER_EVENT_LOOPS="${USHER_EVENT_LOOPS:-1}"
USHER_ARGS="${USHER_ARGS:-}"
BASE_PORT="${BASE_PORT:-18080}"
BASELINE_JAR="${BASELINE_JAR:-}"
OUT="${OUT:-$root/benchmarks/target/compare-$(date -u +%Y%m%d-%H%M%S)}"

usher_port=$BASE_PORT
origin_port=$((BASE_PORT + 1))
admin_port=$((BASE_PORT + 2))
nginx_port=$((BASE_PORT + 3))
haproxy_port=$((BASE_PORT + 4))
base_port=$((BASE_PORT + 5))
base_admin_port=$((BASE_PORT + 6))

missing=()
for tool in nginx haproxy wrk java curl; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
    echo "compare: missing ${missing[*]}; install them with:" >&2
    echo "  apt-get install -y nginx haproxy wrk" >&2
    exit 2
fi
if [[ ! -f "$bench_jar" || ! -f "$usher_jar" ]]; then
    echo "compare: build the jars first: mvn -B -o -q -pl benchmarks,deploy -am package -DskipTests" >&2
    exit 2
fi
if [[ -n "$BASELINE_JAR" && ! -f "$BASELINE_JAR" ]]; then
    echo "compare: BASELINE_JAR $BASELINE_JAR does not exist" >&2
    exit 2
fi
for port in $usher_port $origin_port $admin_port $nginx_port $haproxy_port $base_port $base_admin_port; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "compare: port $port is in use; set BASE_PORT to a free range" >&2
        exit 2
    fi
done

tmp="$(mktemp -d /tmp/usher-compare.XXXXXX)"
mkdir -p "$OUT"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_http() { # url, what, pid, log
    local i
    for ((i = 0; i < 600; i++)); do
        curl -fsS -o /dev/null -H 'Host: h0.bench.test' "$1" 2>/dev/null && return 0
        if ! kill -0 "$3" 2>/dev/null; then
            echo "compare: $2 exited; its output ($4):" >&2
            tail -20 "$4" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "compare: $2 did not answer on $1 within 120 s" >&2
    return 1
}

# The echo origin every proxy forwards to (a separate process, one event loop).
java -Xms64m -Xmx128m -XX:+UseSerialGC -jar "$usher_jar" echo --port "$origin_port" --name origin-0 \
    --event-loops 1 >"$OUT/origin.log" 2>&1 &
origin_pid=$!
pids+=("$origin_pid")
wait_http "http://127.0.0.1:$origin_port/health" "the echo origin" "$origin_pid" "$OUT/origin.log"

# Usher on a generated manifests folder: host h0.bench.test, Prefix /p0 -> Service origin-0 -> the echo origin.
java -jar "$bench_jar" manifests --out "$tmp/manifests" --origin-port "$origin_port" >/dev/null
# shellcheck disable=SC2086 # USHER_JAVA_OPTS and USHER_ARGS are lists of flags on purpose
java $USHER_JAVA_OPTS -jar "$usher_jar" run --manifests "$tmp/manifests" --bind 127.0.0.1 \
    --http-port "$usher_port" --admin-port "$admin_port" --disable-https --event-loops "$USHER_EVENT_LOOPS" \
    --access-log off --drain-timeout 1s $USHER_ARGS >"$OUT/usher.log" 2>&1 &
usher_pid=$!
pids+=("$usher_pid")
wait_http "http://127.0.0.1:$admin_port/readyz" "Usher" "$usher_pid" "$OUT/usher.log"

targets=("usher=http://127.0.0.1:$usher_port/p0@$usher_pid")
if [[ -n "$BASELINE_JAR" ]]; then
    # shellcheck disable=SC2086
    java $USHER_JAVA_OPTS -jar "$BASELINE_JAR" run --manifests "$tmp/manifests" --bind 127.0.0.1 \
        --http-port "$base_port" --admin-port "$base_admin_port" --disable-https --event-loops "$USHER_EVENT_LOOPS" \
        --access-log off --drain-timeout 1s $USHER_ARGS >"$OUT/usher-base.log" 2>&1 &
    base_pid=$!
    pids+=("$base_pid")
    wait_http "http://127.0.0.1:$base_admin_port/readyz" "baseline Usher" "$base_pid" "$OUT/usher-base.log"
    targets+=("usher-base=http://127.0.0.1:$base_port/p0@$base_pid")
fi

# nginx: one process (master_process off: the single worker's work, one pid to measure), upstream keep-alive,
# the same forwarding headers Usher adds, no access log.
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes 1;
master_process off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    upstream origin {
        server 127.0.0.1:$origin_port;
        keepalive 512;
    }
    server {
        listen 127.0.0.1:$nginx_port backlog=4096;
        keepalive_requests 1000000;
        location / {
            proxy_pass http://origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Real-IP \$remote_addr;
            proxy_set_header X-Request-ID \$request_id;
        }
    }
}
CONF
nginx -c "$tmp/nginx/nginx.conf" -g 'daemon off;' >"$OUT/nginx.log" 2>&1 &
nginx_pid=$!
pids+=("$nginx_pid")
wait_http "http://127.0.0.1:$nginx_port/p0" "nginx" "$nginx_pid" "$OUT/nginx.log"

# HAProxy: one thread, http-reuse always, forwarding headers, no logging; -db keeps it in the foreground.
cat >"$tmp/haproxy.cfg" <<CONF
global
    nbthread 1
    maxconn 8000
defaults
    mode http
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    option http-keep-alive
    option forwardfor
    http-reuse always
frontend bench
    bind 127.0.0.1:$haproxy_port
    http-request set-header X-Forwarded-Proto http
    default_backend origin
backend origin
    server origin-0 127.0.0.1:$origin_port
CONF
haproxy -f "$tmp/haproxy.cfg" -db >"$OUT/haproxy.log" 2>&1 &
haproxy_pid=$!
pids+=("$haproxy_pid")
wait_http "http://127.0.0.1:$haproxy_port/p0" "HAProxy" "$haproxy_pid" "$OUT/haproxy.log"

echo "compare: usher pid $usher_pid, nginx pid $nginx_pid, haproxy pid $haproxy_pid; results in $OUT"
# The client JVM (usher-bench) stays up across all rounds, so it is warm too.
java -Xms256m -Xmx512m -jar "$bench_jar" compare \
    "${targets[@]/#/--target=}" \
    --target "nginx=http://127.0.0.1:$nginx_port/p0@$nginx_pid" \
    --target "haproxy=http://127.0.0.1:$haproxy_port/p0@$haproxy_pid" \
    --host h0.bench.test --connection-counts "$CONNECTIONS" --rounds "$ROUNDS" --duration "$DURATION" \
    --warmup "$WARMUP" --jvm-warmup "$JVM_WARMUP" --response-size "$RESPONSE_SIZE" --out "$OUT" \
    --note "baseline: ${BASELINE_JAR:-none}" \
    --note "usher JVM: $(java -version 2>&1 | head -1); flags: $USHER_JAVA_OPTS; --event-loops $USHER_EVENT_LOOPS $USHER_ARGS" \
    --note "nginx: $(nginx -v 2>&1 | sed 's/.*: //'), 1 process, upstream keepalive 512" \
    --note "haproxy: $(haproxy -v | head -1 | cut -d' ' -f1-3), nbthread 1, http-reuse always" \
    --note "wrk: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); machine: $(nproc) cores, $(uname -r)"
