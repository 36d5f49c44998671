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
#   RATE=0 (closed loop); RATE=1000 sends an open-loop 1,000 req/s with coordinated-omission-corrected latency, to
#                                    compare the tails at a fixed load (wrk, closed-loop only, is then left out)
#   USHER_JAVA_OPTS='-Xms128m -Xmx128m -XX:+UseParallelGC'  USHER_EVENT_LOOPS=1
#   USHER_ARGS='--max-idle-per-endpoint=1024' (more `usher run` flags)
#   BASE_PORT=18080 (origin +1, Usher admin +2, nginx +3, HAProxy +4, baseline Usher +5, its admin +6)
#   BASELINE_JAR=path/to/usher.jar   also runs that build of Usher (same flags) as target usher-base, to measure a
#                                    change against the build before it in the same rounds
#   BASELINE_JAVA_OPTS=<USHER_JAVA_OPTS> usher-base's JVM flags: BASELINE_JAR=<the same jar> A/Bs a flag
#   BASELINE_ARGS=<USHER_ARGS>       usher-base's `usher run` flags: BASELINE_JAR=<the same jar> A/Bs an Usher flag
#                                    (BASELINE_ARGS='--transport io_uring')
#   USHER_JAVA=java BASELINE_JAVA=<USHER_JAVA>  the JVM each Usher runs on: BASELINE_JAR=<the same jar> A/Bs a JDK
#   USHER_DEFAULTS=1                 also runs Usher as `usher run` starts by default (no JVM flags: the JVM's own
#                                    collector and heap; one event loop per processor) as target usher-defaults, beside
#                                    `usher`, which runs as the Deployment does (one processor's worth: ParallelGC, one
#                                    event loop); 0 leaves it out
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prog=compare

ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-2s}"
JVM_WARMUP="${JVM_WARMUP:-20s}"
CONNECTIONS="${CONNECTIONS:-50,200}"
RESPONSE_SIZE="${RESPONSE_SIZE:-0}"
RATE="${RATE:-0}"
USHER_JAVA_OPTS="${USHER_JAVA_OPTS:--Xms128m -Xmx128m -XX:+UseParallelGC}"
USHER_EVENT_LOOPS="${USHER_EVENT_LOOPS:-1}"
USHER_ARGS="${USHER_ARGS:-}"
BASE_PORT="${BASE_PORT:-18080}"
BASELINE_JAR="${BASELINE_JAR:-}"
BASELINE_JAVA_OPTS="${BASELINE_JAVA_OPTS:-$USHER_JAVA_OPTS}"
BASELINE_ARGS="${BASELINE_ARGS:-$USHER_ARGS}"
BASELINE_JAVA="${BASELINE_JAVA:-${USHER_JAVA:-java}}"
USHER_DEFAULTS="${USHER_DEFAULTS:-1}"
OUT="${OUT:-$root/benchmarks/target/compare-$(date -u +%Y%m%d-%H%M%S)}"

usher_port=$BASE_PORT
origin_port=$((BASE_PORT + 1))
admin_port=$((BASE_PORT + 2))
nginx_port=$((BASE_PORT + 3))
haproxy_port=$((BASE_PORT + 4))
base_port=$((BASE_PORT + 5))
base_admin_port=$((BASE_PORT + 6))
defaults_port=$((BASE_PORT + 7))
defaults_admin_port=$((BASE_PORT + 8))

# shellcheck source=benchmarks/proxies.sh
source "$root/benchmarks/proxies.sh"
require_tools "apt-get install -y nginx haproxy wrk" nginx haproxy wrk java curl
require_jars
if [[ -n "$BASELINE_JAR" && ! -f "$BASELINE_JAR" ]]; then
    echo "compare: BASELINE_JAR $BASELINE_JAR does not exist" >&2
    exit 2
fi
require_free_ports $usher_port $origin_port $admin_port $nginx_port $haproxy_port $base_port $base_admin_port \
    $defaults_port $defaults_admin_port

start_session usher-compare

start_origin
write_manifests
# shellcheck disable=SC2086 # USHER_ARGS is a list of flags on purpose
start_usher "$usher_jar" "$usher_port" "$admin_port" Usher "$OUT/usher.log" $USHER_ARGS
usher_pid=$started_pid

targets=("usher=http://127.0.0.1:$usher_port/p0@$usher_pid")
if [[ -n "$BASELINE_JAR" ]]; then
    # shellcheck disable=SC2086
    USHER_JAVA="$BASELINE_JAVA" USHER_JAVA_OPTS="$BASELINE_JAVA_OPTS" start_usher "$BASELINE_JAR" "$base_port" "$base_admin_port" \
        "baseline Usher" "$OUT/usher-base.log" $BASELINE_ARGS
    base_pid=$started_pid
    targets+=("usher-base=http://127.0.0.1:$base_port/p0@$base_pid")
fi
if [[ "$USHER_DEFAULTS" == 1 ]]; then
    # shellcheck disable=SC2086
    USHER_JAVA_OPTS="" USHER_EVENT_LOOPS=0 start_usher "$usher_jar" "$defaults_port" "$defaults_admin_port" \
        "Usher with its defaults" "$OUT/usher-defaults.log" $USHER_ARGS
    targets+=("usher-defaults=http://127.0.0.1:$defaults_port/p0@$started_pid")
fi

start_nginx "backlog=4096" ""

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
    --also-measured "$origin_pid" --host h0.bench.test --connection-counts "$CONNECTIONS" --rounds "$ROUNDS" --duration "$DURATION" \
    --warmup "$WARMUP" --jvm-warmup "$JVM_WARMUP" --response-size "$RESPONSE_SIZE" --out "$OUT" \
    --rate "$RATE" "$([[ "$RATE" == 0 ]] && echo --wrk || echo --no-wrk)" \
    --note "baseline: ${BASELINE_JAR:-none}${BASELINE_JAR:+, JVM: $("$BASELINE_JAVA" -version 2>&1 | head -1), flags: $BASELINE_JAVA_OPTS $BASELINE_ARGS}" \
    --note "usher JVM: $("$USHER_JAVA" -version 2>&1 | head -1); flags: $USHER_JAVA_OPTS; --event-loops $USHER_EVENT_LOOPS $USHER_ARGS" \
    --note "usher-defaults: $([[ "$USHER_DEFAULTS" == 1 ]] && echo "no JVM flags, --event-loops 0 (one per processor)" || echo "not run")" \
    --note "nginx: $(nginx -v 2>&1 | sed 's/.*: //'), 1 process, upstream keepalive 512" \
    --note "haproxy: $(haproxy -v | head -1 | cut -d' ' -f1-3), nbthread 1, http-reuse always" \
    --note "wrk: $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2); machine: $(nproc) cores, $(uname -r)"
