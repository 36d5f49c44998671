#!/usr/bin/env bash
# Usher and nginx side by side over HTTP/2 cleartext (h2c, prior knowledge), on loopback, with the same echo origin
# (HTTP/1.1 upstream with keep-alive on both) and the same client, h2load (Debian nghttp2-client).
#
#   benchmarks/h2load.sh                        ROUNDS x DURATION per target, alternating, -c 50 -m 10
#   ROUNDS=3 DURATION=10 CLIENTS=50 STREAMS=10 benchmarks/h2load.sh
#
# Needs nginx (built with http_v2, as Debian's is), h2load, java, curl; installs nothing. Every process it starts
# (echo origin, Usher, nginx) runs on 127.0.0.1 with its own config in a temporary folder and is stopped on exit,
# also on failure or Ctrl-C. Per run: requests/s and p99 latency (from h2load's per-request log) and requests per
# CPU-second of the proxy process (utime + stime from /proc/<pid>/stat around the run). Results go to $OUT
# (default benchmarks/target/h2load-<time>), a table on stdout.
#
# Settings (environment):
#   ROUNDS=2 DURATION=10 (seconds) WARMUP=2 (seconds, h2load --warm-up-time) JVM_WARMUP=10 (seconds, before round 1)
#   CLIENTS=50 STREAMS=10 THREADS=1 (h2load -c -m -t)
#   USHER_JAVA_OPTS='-Xms128m -Xmx128m -XX:+UseSerialGC'  USHER_EVENT_LOOPS=1
#   BASE_PORT=18180 (origin +1, Usher admin +2, nginx +3)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prog=h2load.sh

ROUNDS="${ROUNDS:-2}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
JVM_WARMUP="${JVM_WARMUP:-10}"
CLIENTS="${CLIENTS:-50}"
STREAMS="${STREAMS:-10}"
THREADS="${THREADS:-1}"
USHER_JAVA_OPTS="${USHER_JAVA_OPTS:--Xms128m -Xmx128m -XX:+UseSerialGC}"
USHER_EVENT_LOOPS="${USHER_EVENT_LOOPS:-1}"
BASE_PORT="${BASE_PORT:-18180}"
OUT="${OUT:-$root/benchmarks/target/h2load-$(date -u +%Y%m%d-%H%M%S)}"

usher_port=$BASE_PORT
origin_port=$((BASE_PORT + 1))
admin_port=$((BASE_PORT + 2))
nginx_port=$((BASE_PORT + 3))

# shellcheck source=benchmarks/proxies.sh
source "$root/benchmarks/proxies.sh"
require_tools "apt-get install -y nginx nghttp2-client" nginx h2load java curl
require_jars
require_free_ports $usher_port $origin_port $admin_port $nginx_port

start_session usher-h2load

cpu_ticks() { # utime + stime of a pid, in clock ticks (fields 14 and 15 of /proc/pid/stat, after the comm field)
    local stat
    stat="$(cat "/proc/$1/stat")"
    stat="${stat##*) }"
    # shellcheck disable=SC2086 # split the fields on purpose
    set -- $stat
    echo $((${12} + ${13}))
}

start_origin
write_manifests
start_usher "$usher_jar" "$usher_port" "$admin_port" Usher "$OUT/usher.log"
usher_pid=$started_pid

# nginx with h2c (prior knowledge) on its listener; a plain listener with http2 speaks only HTTP/2 in nginx 1.22,
# so the readiness probe uses prior knowledge too
start_nginx "http2 backlog=4096" "http2_max_concurrent_streams 100;" --http2-prior-knowledge

run() { # name, port, pid, round -> one result line
    local name=$1 port=$2 pid=$3 round=$4 log="$OUT/$1-$4" before after ticks reqs rps p99 hz
    hz="$(getconf CLK_TCK)"
    before="$(cpu_ticks "$pid")"
    h2load -c "$CLIENTS" -m "$STREAMS" -t "$THREADS" -D "$DURATION" --warm-up-time "$WARMUP" \
        -H ':authority: h0.bench.test' --log-file "$log.requests" "http://127.0.0.1:$port/p0" >"$log.txt" 2>&1
    after="$(cpu_ticks "$pid")"
    ticks=$((after - before))
    reqs="$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' "$log.txt")"
    rps="$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' "$log.txt")"
    # the log's third column is each request's time in microseconds
    p99="$(awk '{print $3}' "$log.requests" | sort -n | awk '{v[NR] = $1} END {i = int(NR * 0.99); if (i < 1) i = 1; printf "%.2f", v[i] / 1000}')"
    # CPU counted over warm-up + measurement, so requests per CPU-second use the same span's requests (rps x span)
    awk -v n="$name" -v r="$round" -v rps="$rps" -v ok="$reqs" -v p="$p99" -v t="$ticks" -v hz="$hz" \
        -v span="$((DURATION + WARMUP))" 'BEGIN {
            cpu = t / hz; printf "%-6s round %d  %10.0f req/s  p99 %7s ms  cpu %6.2f s  %8.0f req/cpu-s  (%s ok)\n",
            n, r, rps, p, cpu, (cpu > 0 ? rps * span / cpu : 0), ok }'
}

echo "h2load.sh: usher pid $usher_pid, nginx pid $nginx_pid; results in $OUT"
echo "warming the JVM for $JVM_WARMUP s"
h2load -c "$CLIENTS" -m "$STREAMS" -t "$THREADS" -D "$JVM_WARMUP" -H ':authority: h0.bench.test' \
    "http://127.0.0.1:$usher_port/p0" >"$OUT/jvm-warmup.txt" 2>&1
{
    echo "# h2c, h2load -c $CLIENTS -m $STREAMS -t $THREADS, ${DURATION}s + ${WARMUP}s warm-up per run"
    echo "# usher: $(java -version 2>&1 | head -1), $USHER_JAVA_OPTS, --event-loops $USHER_EVENT_LOOPS;" \
        "nginx $(nginx -v 2>&1 | sed 's/.*: //'), 1 process; $(h2load --version | head -1); $(nproc) cores," \
        "load average $(cut -d' ' -f1-3 /proc/loadavg)"
    for ((round = 1; round <= ROUNDS; round++)); do
        run usher "$usher_port" "$usher_pid" "$round"
        run nginx "$nginx_port" "$nginx_pid" "$round"
    done
} | tee "$OUT/summary.txt"
