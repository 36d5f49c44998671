#!/usr/bin/env bash
# Which collector for the pod: Usher as the Deployment runs it (one processor visible, a 128 MiB heap) with each of
# the JDK's collectors side by side on the same echo origin, wrk keep-alive at 200 connections, interleaved rounds.
#
#   benchmarks/gc.sh                                      ROUNDS x DURATION per collector
#   ROUNDS=3 DURATION=10 COLLECTORS="Parallel Serial G1" benchmarks/gc.sh
#
# Per run: requests/s, p90 and p99 (wrk --latency) and CPU milliseconds of the Usher process per 1,000 requests; at
# the end, each JVM's young and full pauses over the measured runs (from its -Xlog:gc file): count, p50, p99, max and
# their sum. Change the order of COLLECTORS between two runs to rule out a position effect.
#
# Needs wrk, java, curl (apt-get install -y wrk); installs nothing. Every process runs on 127.0.0.1 and is stopped on
# exit. Settings: ROUNDS=3 DURATION=10 (seconds) WARMUP=15 (seconds per JVM) CONNECTIONS=200 BASE_PORT=18480
# COLLECTORS="Serial Parallel G1" HEAP=128m. Results in $OUT (default benchmarks/target/gc-<time>).
set -euo pipefail

prog=gc.sh
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-15}"
CONNECTIONS="${CONNECTIONS:-200}"
BASE_PORT="${BASE_PORT:-18480}"
COLLECTORS="${COLLECTORS:-Serial Parallel G1}"
HEAP="${HEAP:-128m}"
OUT="${OUT:-$root/benchmarks/target/gc-$(date -u +%Y%m%d-%H%M%S)}"
USHER_EVENT_LOOPS=1
origin_port=$BASE_PORT

# shellcheck source=benchmarks/proxies.sh
source "$root/benchmarks/proxies.sh"
require_tools "apt-get install -y wrk" wrk java curl python3
require_jars
start_session usher-gc
start_origin
write_manifests

declare -A port pid
i=1
for gc in $COLLECTORS; do
    port[$gc]=$((BASE_PORT + 2 * i))
    require_free_ports "${port[$gc]}" $((port[$gc] + 1))
    USHER_JAVA_OPTS="-XX:ActiveProcessorCount=1 -Xms$HEAP -Xmx$HEAP -XX:+Use${gc}GC -Xlog:gc:file=$OUT/gc-$gc.log" \
        start_usher "$usher_jar" "${port[$gc]}" $((port[$gc] + 1)) "Usher ($gc)" "$OUT/usher-$gc.log"
    pid[$gc]=$started_pid
    i=$((i + 1))
done

load() { # port, seconds, [wrk flag]
    wrk -t1 -c"$CONNECTIONS" -d"$2"s ${3:+"$3"} -H 'Host: h0.bench.test' "http://127.0.0.1:$1/p0"
}

for gc in $COLLECTORS; do
    load "${port[$gc]}" "$WARMUP" >/dev/null
    : >"$OUT/gc-$gc.log" # only the measured runs' pauses count
done
{
    echo "# wrk -t1 -c$CONNECTIONS -d${DURATION}s; usher: $(java -version 2>&1 | head -1), -XX:ActiveProcessorCount=1" \
        "-Xms$HEAP -Xmx$HEAP, --event-loops 1; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    for ((round = 1; round <= ROUNDS; round++)); do
        for gc in $COLLECTORS; do
            before="$(cpu_ticks "${pid[$gc]}")"
            result="$(load "${port[$gc]}" "$DURATION" --latency)"
            after="$(cpu_ticks "${pid[$gc]}")"
            echo "$result" >"$OUT/wrk-$gc-$round.txt"
            echo "$result" | awk -v gc="$gc" -v r="$round" -v t="$((after - before))" -v hz="$(getconf CLK_TCK)" '
                /requests in/ { n = $1 } /^Requests\/sec/ { rps = $2 } $1 == "90%" { p90 = $2 } $1 == "99%" { p99 = $2 }
                END { printf "%-8s round %d  %8.0f req/s  p90 %8s  p99 %8s  cpu %5.1f ms/1k req\n",
                      gc, r, rps, p90, p99, t / hz * 1e6 / n }'
        done
    done
    for gc in $COLLECTORS; do
        python3 - "$gc" "$OUT/gc-$gc.log" <<'PY'
import re, sys
gc, log = sys.argv[1], open(sys.argv[2]).read()
for kind in ("Young", "Full"):
    p = sorted(float(x) for x in re.findall(r"Pause " + kind + r".*? ([\d.]+)ms", log))
    if p:
        n = len(p)
        print(f"{gc:8s} {kind.lower()} pauses {n:4d}  p50 {p[n // 2]:.2f} ms  p99 {p[min(n - 1, int(n * 0.99))]:.2f} ms"
              f"  max {p[-1]:.2f} ms  sum {sum(p):.0f} ms")
    else:
        print(f"{gc:8s} {kind.lower()} pauses    0")
PY
    done
} | tee "$OUT/summary.txt"
