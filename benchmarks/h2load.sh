#!/usr/bin/env bash
# Usher and nginx side by side over HTTP/2, cleartext (h2c, prior knowledge) and TLS (h2 by ALPN), on loopback, with
# the same echo origin (HTTP/1.1 upstream with keep-alive on both) and the same client, h2load (Debian nghttp2-client).
#
#   benchmarks/h2load.sh                        ROUNDS x DURATION per target and protocol, alternating, -c 50 -m 10
#   ROUNDS=3 DURATION=10 CLIENTS=50 STREAMS=10 PROTOCOLS="h2c h2" benchmarks/h2load.sh
#   BASELINE_JAR=/tmp/usher-old.jar TARGETS="usher usher-base" benchmarks/h2load.sh   an older Usher build beside
#
# Needs nginx (built with http_v2 and ssl, as Debian's is), h2load, java, curl, openssl (for nginx's self-signed
# certificate; Usher serves its generated default certificate; h2load verifies neither); installs nothing. Every process it starts
# (echo origin, Usher, nginx) runs on 127.0.0.1 with its own config in a temporary folder and is stopped on exit,
# also on failure or Ctrl-C. Per run: requests/s and p99 latency (from h2load's per-request log) and requests per
# CPU-second of the proxy process (utime + stime from /proc/<pid>/stat around the run). Each run also reports what other
# processes used meanwhile (the machine's busy time less the proxy, the origin and h2load), and the summary warns
# when their median is above 0.25 cores, as compare.sh does. Results go to $OUT
# (default benchmarks/target/h2load-<time>): the per-run table on stdout and in summary.txt, and, written by
# `usher-bench h2load-report` from runs.tsv (one line per run) and h2load's per-request logs
# (<target>-<protocol>-<round>.requests), table.md (medians over rounds per protocol and target, ratios to nginx),
# results.json (settings, every run, the medians and ratios, the busy-machine verdict) and latency percentile plots
# with every round of a target merged: latency.svg (all protocols together) and latency-<protocol>.svg.
#
# Settings (environment):
#   ROUNDS=2 DURATION=10 (seconds) WARMUP=2 (seconds, h2load --warm-up-time) JVM_WARMUP=10 (seconds, before round 1)
#   CLIENTS=50 STREAMS=10 THREADS=1 (h2load -c -m -t)
#   PROTOCOLS="h2c h2" (h2c: cleartext listeners; h2: TLS listeners, ALPN h2; https1: the TLS listeners over
#                       HTTP/1.1 keep-alive, h2load --h1 with one request at a time per connection, -m ignored)
#   TARGETS="usher nginx" (add usher-base with BASELINE_JAR=<an older usher.jar> to compare two builds)
#   USHER_JAVA_OPTS='-Xms128m -Xmx128m -XX:+UseParallelGC'  USHER_EVENT_LOOPS=1
#   BASELINE_JAVA_OPTS=<USHER_JAVA_OPTS> (usher-base's JVM flags: BASELINE_JAR=<the same jar> A/Bs a flag)
#   BASELINE_ARGS='--transport io_uring' (more `usher run` flags for usher-base only)
#   BASE_PORT=18180 (origin +1, Usher admin +2, nginx +3, Usher TLS +4, nginx TLS +5, usher-base +6..+8)
set -euo pipefail

prog=h2load.sh
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

ROUNDS="${ROUNDS:-2}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
JVM_WARMUP="${JVM_WARMUP:-10}"
CLIENTS="${CLIENTS:-50}"
STREAMS="${STREAMS:-10}"
THREADS="${THREADS:-1}"
USHER_JAVA_OPTS="${USHER_JAVA_OPTS:--Xms128m -Xmx128m -XX:+UseParallelGC}"
USHER_EVENT_LOOPS="${USHER_EVENT_LOOPS:-1}"
BASE_PORT="${BASE_PORT:-18180}"
PROTOCOLS="${PROTOCOLS:-h2c h2}"
TARGETS="${TARGETS:-usher nginx}"
BASELINE_JAR="${BASELINE_JAR:-}"
BASELINE_JAVA_OPTS="${BASELINE_JAVA_OPTS:-$USHER_JAVA_OPTS}"
BASELINE_ARGS="${BASELINE_ARGS:-}"
OUT="${OUT:-$root/benchmarks/target/h2load-$(date -u +%Y%m%d-%H%M%S)}"

base_port=$((BASE_PORT + 6))
base_admin_port=$((BASE_PORT + 7))
base_tls_port=$((BASE_PORT + 8))

# shellcheck source=benchmarks/proxies.sh
source "$root/benchmarks/proxies.sh"
tls_ports # usher_port, origin_port, admin_port, nginx_port, usher_tls_port, nginx_tls_port from BASE_PORT
require_tools "apt-get install -y nginx nghttp2-client" nginx h2load java curl openssl
require_jars
if ! java -jar "$bench_jar" h2load-report --help >/dev/null 2>&1; then # a jar from before the subcommand
    echo "$prog: $bench_jar has no h2load-report; rebuild it: mvn -B -o -q -pl benchmarks,deploy -am package" \
        "-DskipTests" >&2
    exit 2
fi
if [[ " $TARGETS " == *" usher-base "* && ! -f "$BASELINE_JAR" ]]; then
    echo "$prog: TARGETS has usher-base: set BASELINE_JAR to an usher.jar" >&2
    exit 2
fi
require_free_ports $usher_port $origin_port $admin_port $nginx_port $usher_tls_port $nginx_tls_port $base_port \
    $base_admin_port $base_tls_port
start_session usher-h2load

start_origin
write_manifests
start_usher "$usher_jar" "$usher_port" "$admin_port" Usher "$OUT/usher.log" --https-port "$usher_tls_port"
usher_pid=$started_pid
base_pid=
if [[ " $TARGETS " == *" usher-base "* ]]; then
    # shellcheck disable=SC2086 # BASELINE_ARGS is a list of flags on purpose
    USHER_JAVA_OPTS="$BASELINE_JAVA_OPTS" start_usher "$BASELINE_JAR" "$base_port" "$base_admin_port" \
        "baseline Usher" "$OUT/usher-base.log" --https-port "$base_tls_port" $BASELINE_ARGS
    base_pid=$started_pid
fi

start_nginx_h2 # h2c on nginx_port, h2 over TLS 1.3 on nginx_tls_port
wait_http "https://127.0.0.1:$nginx_tls_port/p0" "nginx (TLS)" "$nginx_pid" "$OUT/nginx.log" "-k --http2"

run() { # name, protocol, port, pid, round -> one result line
    local name=$1 proto=$2 port=$3 pid=$4 round=$5 log="$OUT/$1-$2-$5" before after ticks reqs rps p99 hz scheme
    local -a shape
    local shape_text
    read -r scheme shape_text <<<"$(client_shape "$proto")"
    read -r -a shape <<<"$shape_text"
    local busy_before origin_before start_ns other client_cpu TIMEFORMAT='%U %S'
    hz="$(getconf CLK_TCK)"
    before="$(cpu_ticks "$pid")"
    origin_before="$(cpu_ticks "$origin_pid")"
    busy_before="$(machine_busy_ticks)"
    start_ns="$(date +%s%N)"
    # `time` reports h2load's own CPU (user, system) to $log.time
    { time h2load -c "$CLIENTS" "${shape[@]}" -t "$THREADS" -D "$DURATION" --warm-up-time "$WARMUP" \
        -H ':authority: h0.bench.test' --log-file "$log.requests" "$scheme://127.0.0.1:$port/p0" >"$log.txt" 2>&1; } \
        2>"$log.time"
    after="$(cpu_ticks "$pid")"
    ticks=$((after - before))
    # What the rest of the machine used meanwhile, in cores: busy time less the proxy, the origin and the client
    client_cpu="$(awk '{print $1 + $2}' "$log.time")"
    other="$(awk -v busy="$(($(machine_busy_ticks) - busy_before))" -v proxy="$ticks" \
        -v origin="$(($(cpu_ticks "$origin_pid") - origin_before))" -v client="$client_cpu" -v hz="$hz" \
        -v ns="$(($(date +%s%N) - start_ns))" 'BEGIN { o = ((busy - proxy - origin) / hz - client) / (ns / 1e9);
            printf "%.2f", (o < 0 ? 0 : o) }')"
    reqs="$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' "$log.txt")"
    rps="$(sed -n 's/^finished in [^,]*, \([0-9.]*\) req\/s.*/\1/p' "$log.txt")"
    # the log's third column is each request's time in microseconds
    p99="$(awk '{print $3}' "$log.requests" | sort -n | awk '{v[NR] = $1} END {i = int(NR * 0.99); if (i < 1) i = 1; printf "%.2f", v[i] / 1000}')"
    # CPU counted over warm-up + measurement, so requests per CPU-second use the same span's requests (rps x span);
    # the line also goes to runs.tsv (tab-separated, see usher-bench h2load-report) for the JSON, table and plots
    awk -v n="$name" -v pr="$proto" -v r="$round" -v rps="$rps" -v ok="$reqs" -v p="$p99" -v t="$ticks" -v hz="$hz" \
        -v span="$((DURATION + WARMUP))" -v other="$other" -v runs="$OUT/runs.tsv" -v logname="${log##*/}.requests" 'BEGIN {
            cpu = t / hz; printf "%-10s %-3s round %d  %10.0f req/s  p99 %7s ms  cpu %6.2f s  %8.0f req/cpu-s  (%s ok)  other %s cores\n",
            n, pr, r, rps, p, cpu, (cpu > 0 ? rps * span / cpu : 0), ok, other
            printf "%s\t%s\t%d\t%s\t%s\t%.2f\t%d\t%s\t%s\n", n, pr, r, rps, ok, cpu, span, other, logname >>runs }'
}

# The URL scheme and h2load's flags for a protocol: "scheme flag..."
client_shape() { # protocol
    case "$1" in
        h2c) echo "http -m $STREAMS" ;;
        h2) echo "https -m $STREAMS" ;;
        https1) echo "https --h1 -m 1" ;; # HTTP/1.1 has no streams; -m above 1 would pipeline
    esac
}

target_port() { # name, protocol
    case "$1-$2" in
        usher-h2c) echo "$usher_port" ;;
        usher-h2 | usher-https1) echo "$usher_tls_port" ;;
        usher-base-h2c) echo "$base_port" ;;
        usher-base-h2 | usher-base-https1) echo "$base_tls_port" ;;
        nginx-h2c) echo "$nginx_port" ;;
        nginx-h2 | nginx-https1) echo "$nginx_tls_port" ;;
    esac
}
target_pid() {
    case "$1" in
        usher) echo "$usher_pid" ;;
        usher-base) echo "$base_pid" ;;
        nginx) echo "$nginx_pid" ;;
    esac
}

java_version="$(java -version 2>&1 | head -1)"
nginx_version="$(nginx -v 2>&1 | sed 's/.*: //')"
h2load_version="$(h2load --version | head -1)"
echo "h2load.sh: usher pid $usher_pid, usher-base pid ${base_pid:--}, nginx pid $nginx_pid; results in $OUT"
echo "warming the JVMs for $JVM_WARMUP s per protocol"
for name in $TARGETS; do
    [[ $name == nginx ]] && continue
    for proto in $PROTOCOLS; do
        read -r scheme shape_text <<<"$(client_shape "$proto")"
        read -r -a shape <<<"$shape_text"
        # bounded: h2load -D never stops a client whose TLS handshake ends after the duration (a cold JVM on a
        # busy machine), it keeps that connection's requests going
        timeout "$((JVM_WARMUP + 30))" h2load -c "$CLIENTS" "${shape[@]}" -t "$THREADS" -D "$JVM_WARMUP" \
            -H ':authority: h0.bench.test' \
            "$scheme://127.0.0.1:$(target_port "$name" "$proto")/p0" >"$OUT/jvm-warmup-$name-$proto.txt" 2>&1 || true
    done
done
# this run's figures only, also when OUT is reused
printf '# target\tprotocol\tround\treq/s\tsucceeded\tcpu-s\tspan-s\tother-cores\tlog\n' >"$OUT/runs.tsv"
{
    echo "# $PROTOCOLS, h2load -c $CLIENTS -m $STREAMS -t $THREADS, ${DURATION}s + ${WARMUP}s warm-up per run"
    echo "# usher: $java_version, $USHER_JAVA_OPTS, --event-loops $USHER_EVENT_LOOPS;" \
        "nginx $nginx_version, 1 process; $h2load_version; $(nproc) cores," \
        "load average $(cut -d' ' -f1-3 /proc/loadavg)"
    [[ -n "$base_pid" ]] && echo "# usher-base: $BASELINE_JAR, $BASELINE_JAVA_OPTS $BASELINE_ARGS"
    for ((round = 1; round <= ROUNDS; round++)); do
        for proto in $PROTOCOLS; do
            for name in $TARGETS; do
                run "$name" "$proto" "$(target_port "$name" "$proto")" "$(target_pid "$name")" "$round"
            done
        done
    done
    # Medians, ratios to nginx, table.md, results.json, latency*.svg; prints the busy-machine line (as compare.sh
    # warns: the median over the runs of what other processes used beside the measured ones, above 0.25 cores)
    java -Xmx256m -jar "$bench_jar" h2load-report --out "$OUT" --protocols "$PROTOCOLS" --targets "$TARGETS" \
        --clients "$CLIENTS" --streams "$STREAMS" --threads "$THREADS" --duration "$DURATION" --warmup "$WARMUP" \
        --jvm-warmup "$JVM_WARMUP" --rounds "$ROUNDS" --usher-java-opts="$USHER_JAVA_OPTS" \
        --usher-event-loops "$USHER_EVENT_LOOPS" --jvm "$java_version" --nginx "$nginx_version" \
        --h2load "$h2load_version" --cores "$(nproc)"
} | tee "$OUT/summary.txt"
